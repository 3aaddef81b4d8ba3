/**
 * The summariser's byte-level shortcuts (the `token_count` and `turn_context` pickers, the key searches of the
 * `session_meta` line) give the same summary as the plain version they replace (c-summary-reference.ts, the
 * summariser before them) for every input: the fixture rollouts of every format, files torn at every byte of
 * their last lines, hand-made odd lines (other key orders, repeated keys, escapes, non-ASCII, forks, malformed
 * JSON), and seeded random corruptions of the lines the shortcuts read.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { summarizeRolloutBuffer, summarizeRolloutSync } from '../../../src/rollout/summary.js';
import { pickJsonValue } from '../../../src/rollout/json-pick.js';
import { referenceSummarizeRolloutBuffer } from './c-summary-reference.js';

const FIXTURES = '/work/shared/fixtures/rollouts';
const MTIME = 1_800_000_000_123;

function rolloutFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...rolloutFiles(full));
    else if (name.endsWith('.jsonl') && name.includes('rollout-')) out.push(full);
  }
  return out;
}

const fixtures = rolloutFiles(FIXTURES).map((file) => ({ file, data: readFileSync(file) }));
const NAME = path.basename(fixtures.find((f) => f.file.includes('/0.169.0/sessions/'))!.file);

/** Cases where the summariser and the reference differ (both with and without the search texts). */
function differences(cases: Iterable<{ label: string; data: Buffer; name?: string }>): string[] {
  const out: string[] = [];
  for (const { label, data, name } of cases) {
    const file = `/h/sessions/2026/11/25/${name ?? NAME}`;
    for (const withText of [false, true]) {
      const actual = summarizeRolloutBuffer(data, file, false, MTIME, { withText });
      const expected = referenceSummarizeRolloutBuffer(data, file, false, MTIME, { withText });
      try {
        expect(actual).toStrictEqual(expected);
      } catch {
        out.push(`${label} (withText ${withText}): ${JSON.stringify(actual)?.slice(0, 300)} vs ${JSON.stringify(expected)?.slice(0, 300)}`);
      }
    }
  }
  return out.slice(0, 5);
}

const linesOf = (data: Buffer) => data.toString('utf8').split('\n');
const base169 = linesOf(fixtures.find((f) => f.file.includes('/0.169.0/sessions/'))!.data);
const metaLine = base169[0]!;
const tokenLine = base169.find((l) => l.includes('"type":"token_count"') && l.includes('total_token_usage'))!;
const contextLine = base169.find((l) => l.includes('"type":"turn_context"'))!;

/** The 0.169.0 fixture with `line` appended (and a trailing newline unless `torn`). */
const withLine = (line: string | Buffer, torn = false) =>
  Buffer.concat([Buffer.from(base169.filter((l) => l !== '').join('\n') + '\n', 'utf8'), typeof line === 'string' ? Buffer.from(line, 'utf8') : line, Buffer.from(torn ? '' : '\n')]);
/** The 0.169.0 fixture with its session_meta line replaced. */
const withMeta = (line: string) => Buffer.from([line, ...base169.slice(1)].join('\n'), 'utf8');

const TS = '{"timestamp":"2026-11-25T08:03:40.000Z","ordinal":99,';
const tokenVariants = [
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":7,"input_tokens":1}}}}`,
  `${TS}"type":"event_msg","payload":{"info":{"last_token_usage":{"total_tokens":3},"total_token_usage":{"total_tokens":8}},"type":"token_count"}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":9}},"info":{"total_token_usage":{}}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":9},"total_token_usage":{"total_tokens":11}}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":9,"total_tokens":12}}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":9}}},"payload":{"type":"token_count"}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":"9"}}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":-1.5e3}}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":-0}}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":1e400}}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":012}}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":null}}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":[{"total_tokens":5}]}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_\\u0074okens":13}}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","in\\u0066o":{"total_token_usage":{"total_tokens":14}}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","note":"\\"total_tokens\\":99 é ☃ \\ud83d\\ude00","info":{"total_token_usage":{"total_tokens":15}}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"other":{"total_token_usage":{"total_tokens":16}}}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":17}}}} `,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":18}}}}\r`,
  ` \t${TS}"type":"event_msg" , "payload" : { "type":"token_count", "info" : {"total_token_usage":{ "total_tokens" : 19 } } } }`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":20}}}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":21}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":22,}}}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":23}},"x":"\u0001"}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":24}},"x":"\\x"}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":25}},"x":[1,2,{"a":[true,false,null]}]}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":26}},"x":tru}}`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":27.}}}}`,
  `${TS}"type":"event_msg","payload":"token_count"}`,
  `["token_count",{"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":28}}}}]`,
  `${TS}"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":29}}}}\u00a0`,
];
const modelVariants = [
  `${TS}"type":"turn_context","payload":{"cwd":"/w","model":"plain"}}`,
  `${TS}"type":"turn_context","payload":{"model":"a\\"b\\\\c\\u00e9\\n","cwd":"/w"}}`,
  `${TS}"type":"turn_context","payload":{"model":"modèle ☃ 😀"}}`,
  `${TS}"type":"turn_context","payload":{"model":"\\ud800"}}`,
  `${TS}"type":"turn_context","payload":{"settings":{"model":"nested"}}}`,
  `${TS}"type":"turn_context","payload":{"model":"first","model":"second"}}`,
  `${TS}"type":"turn_context","payload":{"model":"first","model":null}}`,
  `${TS}"type":"turn_context","payload":{"model":7}}`,
  `${TS}"type":"turn_context","payload":{"mod\\u0065l":"escaped-key"}}`,
  `${TS}"type":"turn_context","payload":{"model":"x"},"payload":{"cwd":"/w"}}`,
  `${TS}"type":"turn_context","payload":{"model":"x"}`,
  `${TS}"type":"turn_context","payload":{"model":"x"}}x`,
  `${TS}"type":"turn_context","payload":{"model":"x\ty"}}`,
  `${TS}"type":"turn_context","payload":{"model":"x","bad":"\\u12g4"}}`,
  `${TS}"type":"turn_context","payload":{"model":"\xff\xfe"}}`,
  `${TS}"type":"turn_context","payload":[{"model":"in-array"}]}`,
  Buffer.concat([Buffer.from(`${TS}"type":"turn_context","payload":{"model":"bad-utf8-`), Buffer.from([0xff, 0xc3, 0x28, 0xe2, 0x82]), Buffer.from('"}}')]),
  Buffer.concat([Buffer.from(`${TS}"type":"turn_context","payload":{"model":"x"},`), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('"y":1}')]),
];
const FORK = '"forked_from_id":"01a211bb-0000-7000-8000-000000000001"';
const cut = metaLine.indexOf(',"base_instructions":');
const metaVariants = [
  metaLine.replace(/}}$/, `,${FORK}}}`),
  metaLine.replace(/}}$/, `,${FORK}}`), // a fork whose tail is malformed: the full parse refuses it
  metaLine.slice(0, cut) + `,${FORK}` + metaLine.slice(cut),
  metaLine.slice(0, cut) + `,${FORK}` + metaLine.slice(cut).replace(/}}$/, '}'),
  metaLine.replace(/}}$/, ',"x_from_id":"a","orked_from_id":"b"}}'),
  metaLine.replace(/}}$/, ',"not_forked_from_id":"a"}}'),
  metaLine.replace(/}}$/, ',"x_from_id":"a"}'), // malformed tail, no fork: the head parse still reads it
  metaLine.replace(/}}$/, ',"xforked_from_id":"a"}'),
  metaLine.replace(',"base_instructions":', ',"xbase_instructions":1,"base_instructions":'),
  metaLine.replace(',"base_instructions":', ',"xbase_instructions":1,"base_instructions":').replace(/}}$/, '}'),
  metaLine.replace(',"base_instructions":', ',"x":"\\",base_instructions":1,"base_instructions":'),
  metaLine.replace('"text":"', `"text":"\\${FORK.replace(/"/g, '\\"')} `),
  metaLine.replace(',"base_instructions":', ',"base_instructions":{"text":"x"},"again_base_instructions":'),
  metaLine.replace(',"base_instructions":', ',"note":"base_instructions\\":","base_instructions":'),
  metaLine.replace(',"base_instructions":', ' ,"base_instructions":'),
  metaLine.replace(',"base_instructions":', ',base_instructions":'),
  metaLine.replace(/}}$/, '}'),
  metaLine.replace('"id":', '"forked_from_id":null,"id":'),
];

describe('summariser shortcuts agree with the plain summariser', () => {
  test('every fixture rollout of every format', () => {
    expect(fixtures.length).toBeGreaterThan(5);
    expect(differences(fixtures.map(({ file, data }) => ({ label: file, data, name: path.basename(file) })))).toEqual([]);
  });

  test('fixtures torn at every byte of their last two lines and every 997th byte before', () => {
    const cases: { label: string; data: Buffer; name: string }[] = [];
    for (const { file, data } of fixtures) {
      let from = data.length - 1;
      for (let n = 0; n < 3 && from > 0; n += 1) from = data.lastIndexOf(0x0a, from - 1);
      for (let at = 1; at < data.length; at += at < from ? 997 : 1) cases.push({ label: `${file} cut at ${at}`, data: data.subarray(0, at), name: path.basename(file) });
    }
    expect(differences(cases)).toEqual([]);
  });

  test('odd token_count, turn_context and session_meta lines, complete and torn', () => {
    const cases = [...tokenVariants, ...modelVariants].flatMap((line: string | Buffer, i) => [
      { label: `variant ${i}: ${line}`, data: withLine(line) },
      { label: `variant ${i} torn: ${line}`, data: withLine(line, true) },
    ]);
    cases.push(...metaVariants.map((line, i) => ({ label: `meta variant ${i}`, data: withMeta(line) })));
    expect(differences(cases)).toEqual([]);
  });

  test('seeded random corruptions of the lines the shortcuts read', () => {
    let seed = 0x2545f491;
    const random = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const alphabet = Buffer.from('"\\{}[],:0123456789-+.eE tfnulrx\t\u0001');
    const cases: { label: string; data: Buffer }[] = [];
    const bases: string[] = [tokenLine, contextLine, ...tokenVariants.slice(0, 6), `${TS}"type":"turn_context","payload":{"model":"a\\"b","cwd":"/w"}}`];
    for (let i = 0; i < 4000; i += 1) {
      const line = Buffer.from(bases[random(bases.length)]!, 'utf8');
      let bytes = [...line];
      for (let edits = 1 + random(3); edits > 0; edits -= 1) {
        const at = random(bytes.length);
        const kind = random(3);
        const c = alphabet[random(alphabet.length)]!;
        if (kind === 0) bytes.splice(at, 1);
        else if (kind === 1) bytes.splice(at, 0, c);
        else bytes[at] = c;
      }
      bytes = bytes.filter((b) => b !== 0x0a);
      cases.push({ label: `corruption ${i}: ${Buffer.from(bytes).toString('utf8')}`, data: withLine(Buffer.from(bytes), random(4) === 0) });
    }
    expect(differences(cases)).toEqual([]);
  });
});

describe('summarizeRolloutSync', () => {
  test('each file read alone: a short file after a long one, a torn one after a whole one, one over 1 MB', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'c-summary-'));
    try {
      const long = withLine(tokenVariants[0]!);
      const big = Buffer.concat([long, Buffer.from(`${TS}"type":"turn_context","payload":{"model":"big","pad":"${'x'.repeat(1_200_000)}"}}\n`)]);
      const files = [long, big, withLine(modelVariants[0]!), long, long.subarray(0, 600), long.subarray(0, long.length - 40), big, long.subarray(0, 100)].map((data, i) => {
        const file = path.join(dir, `${i}-${NAME}`);
        writeFileSync(file, data);
        return { file, data };
      });
      for (const { file, data } of files) {
        const summary = summarizeRolloutSync(file, false, { withText: true });
        expect(summary).toStrictEqual(referenceSummarizeRolloutBuffer(data, file, false, Math.floor(statSync(file).mtimeMs), { withText: true }));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pickJsonValue', () => {
  const pick = (text: string, keys: string[]) => pickJsonValue(Buffer.from(text), 0, Buffer.byteLength(text), keys.map((k) => Buffer.from(k)));
  test('finds the last value at the path, refuses malformed text, leaves escaped keys to JSON.parse', () => {
    expect(pick('{"a":{"b":12}}', ['a', 'b'])).toEqual({ start: 10, end: 12, first: 0x31 });
    expect(pick('{"a":{"b":1},"a":{"c":2}}', ['a', 'b'])).toBeNull();
    expect(pick('{"a":{"b":1}', ['a', 'b'])).toBe('invalid');
    expect(pick('{"\\u0061":{"b":1}}', ['a', 'b'])).toBe('unsure');
    expect(pick('[{"a":{"b":1}}]', ['a', 'b'])).toBeNull();
  });
});
