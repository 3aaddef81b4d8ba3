/**
 * Synthesises 0.169.0-format rollout files from the real reference fixture
 * `fixtures/rollouts/0.169.0/sessions/…/rollout-…-01a211bb-1b90-….jsonl` (two turns, written by codex-cli 0.169.0).
 *
 * Lines 0–13 of the fixture (session_meta … task_complete of turn 1) are the first-turn template, lines 14–22
 * (task_started … task_complete of turn 2) the later-turn template. Each generated file keeps the fixture's
 * exact line shapes, key order and sizes (line 0 embeds the ≈22 KB base instructions) and rewrites only what
 * must differ: ids (every UUIDv7 gets a fresh one minted at the shifted time), every timestamp (ISO, unix s,
 * unix ms, `create_time`), ordinals, per-turn counters (`history_sequence`, `sampled_through_sequence`,
 * `user_input_order`, `msg_mock_N`/`resp_mock_N`, cumulative token totals), the cwd and the user text.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURE_ROLLOUT = path.join(
  REPO,
  'fixtures/rollouts/0.169.0/sessions/2026/11/25/rollout-2026-11-25T08-03-24-01a211bb-1b90-7a63-a05b-5f773a6eefd3.jsonl',
);

const FIXTURE_THREAD_ID = '01a211bb-1b90-7a63-a05b-5f773a6eefd3';
const FIXTURE_CWD = '/home/fixture/project';
const FIXTURE_CREATED_MS = Date.parse('2026-11-25T08:03:24.698Z');
const FIXTURE_TURN2_MS = Date.parse('2026-11-25T08:03:25.183Z');
const FIXTURE_DATE = '2026-11-25';

const UUID7 = /[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g;
const CREATE_TIME = /\b(17955938\d\d)\.(\d+)/g;
const UNIX_MS = /\b17955938\d{5}\b/g;
const UNIX_S = /\b17955938\d\d\b(?![.\d])/g;
const ORDINAL = /"ordinal":\d+/;

const TURN2_TOTALS =
  '{"input_tokens":200,"cached_input_tokens":0,"cache_write_input_tokens":0,"output_tokens":10,"reasoning_output_tokens":0,"total_tokens":210}';
const totalsFor = (turns) =>
  `{"input_tokens":${100 * turns},"cached_input_tokens":0,"cache_write_input_tokens":0,"output_tokens":${5 * turns},"reasoning_output_tokens":0,"total_tokens":${105 * turns}}`;

/** Small deterministic PRNG (mulberry32) so homes are identical across runs and machines. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A UUIDv7 minted at `ms` with PRNG randomness. */
export function uuid7(ms, rand) {
  const hex = (n, digits) => Math.floor(n).toString(16).padStart(digits, '0');
  const r = (digits) => {
    let s = '';
    for (let i = 0; i < digits; i += 1) s += Math.floor(rand() * 16).toString(16);
    return s;
  };
  const t = hex(ms, 12);
  const variant = (8 + Math.floor(rand() * 4)).toString(16);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${r(3)}-${variant}${r(3)}-${r(12)}`;
}

let templates = null;
function loadTemplates() {
  if (templates) return templates;
  const lines = readFileSync(FIXTURE_ROLLOUT, 'utf8').split('\n').filter((l) => l.length > 0);
  if (lines.length !== 23) throw new Error(`unexpected fixture ${FIXTURE_ROLLOUT}: ${lines.length} lines`);
  templates = { first: lines.slice(0, 14), later: lines.slice(14, 23) };
  return templates;
}

function uuidMs(id) {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/**
 * Rewrites one template line: ids through `ids` (a per-file or per-turn map), times shifted by `shiftMs`.
 */
function rewrite(line, { shiftMs, ids, rand, threadId, cwd, date, ordinal }) {
  let out = line.replace(ORDINAL, `"ordinal":${ordinal}`);
  out = out.replace(UUID7, (old) => {
    if (old === FIXTURE_THREAD_ID) return threadId;
    let fresh = ids.get(old);
    if (!fresh) {
      fresh = uuid7(uuidMs(old) + shiftMs, rand);
      ids.set(old, fresh);
    }
    return fresh;
  });
  out = out.replace(ISO, (iso) => new Date(Date.parse(iso) + shiftMs).toISOString());
  out = out.replace(CREATE_TIME, (_m, s, frac) => {
    const v = Number(`${s}.${frac}`) + shiftMs / 1000;
    return v.toFixed(frac.length);
  });
  out = out.replace(UNIX_MS, (ms) => String(Number(ms) + shiftMs));
  out = out.replace(UNIX_S, (s) => String(Math.floor((Number(s) * 1000 + shiftMs) / 1000)));
  out = out.split(FIXTURE_CWD).join(cwd);
  out = out
    .split(`"current_date":"${FIXTURE_DATE}"`)
    .join(`"current_date":"${date}"`)
    .split(`<current_date>${FIXTURE_DATE}</current_date>`)
    .join(`<current_date>${date}</current_date>`);
  return out;
}

/**
 * The lines of a rollout with `turns` turns. `createdMs` = thread creation (session_meta.timestamp);
 * turn k ≥ 1 starts `turnSpacingMs * k` after creation. `texts[k]` is the user text of turn k.
 * Returns `{ id, fileName, text, lastWriteMs }`.
 */
export function synthRollout({ createdMs, turns, texts, cwd, rand, turnSpacingMs = 45_000 }) {
  const { first, later } = loadTemplates();
  // Shifts are whole seconds so unix-second fields stay consistent with the ISO times; the thread's real
  // creation time therefore keeps the fixture's sub-second part.
  const baseShift = Math.round((createdMs - FIXTURE_CREATED_MS) / 1000) * 1000;
  const metaMs = FIXTURE_CREATED_MS + baseShift;
  const threadId = uuid7(metaMs, rand);
  const date = new Date(metaMs).toISOString().slice(0, 10);
  const fileIds = new Map();
  const out = [];
  let ordinal = 0;
  const firstText = JSON.stringify(texts[0]);
  for (const line of first) {
    let l = rewrite(line, { shiftMs: baseShift, ids: fileIds, rand, threadId, cwd, date, ordinal });
    l = l.split('"text":"hello"').join(`"text":${firstText}`);
    out.push(l);
    ordinal += 1;
  }
  let lastWriteMs = Date.parse(JSON.parse(out.at(-1)).timestamp);
  for (let k = 1; k < turns; k += 1) {
    const shiftMs = Math.round((metaMs + turnSpacingMs * k - FIXTURE_TURN2_MS) / 1000) * 1000;
    const turnStartMs = FIXTURE_TURN2_MS + shiftMs;
    const turnIds = new Map();
    const text = JSON.stringify(texts[k] ?? `turn ${k}`);
    for (const line of later) {
      let l = rewrite(line, { shiftMs, ids: turnIds, rand, threadId, cwd, date: new Date(turnStartMs).toISOString().slice(0, 10), ordinal });
      l = l.split('"text":"again"').join(`"text":${text}`);
      if (l.includes('"role":"user"')) {
        l = l
          .replace('"history_sequence":5,"sampled_through_sequence":3,', `"history_sequence":${3 + 2 * k},"sampled_through_sequence":${1 + 2 * k},`)
          .replace('"user_input_order":2,', `"user_input_order":${2 * k},`);
      } else if (l.includes('"role":"assistant"')) {
        l = l
          .replace('"history_sequence":6,"sampled_through_sequence":5,', `"history_sequence":${4 + 2 * k},"sampled_through_sequence":${3 + 2 * k},`)
          .replace('"user_input_order":3}', `"user_input_order":${2 * k + 1}}`);
      }
      l = l
        .split('msg_mock_2')
        .join(`msg_mock_${k + 1}`)
        .split('resp_mock_2')
        .join(`resp_mock_${k + 1}`)
        .split(TURN2_TOTALS)
        .join(totalsFor(k + 1));
      out.push(l);
      ordinal += 1;
    }
    lastWriteMs = Date.parse(JSON.parse(out.at(-1)).timestamp);
  }
  const fileTs = new Date(Math.floor(metaMs / 1000) * 1000).toISOString().slice(0, 19).replace(/:/g, '-');
  return { id: threadId, createdMs: metaMs, fileName: `rollout-${fileTs}-${threadId}.jsonl`, text: `${out.join('\n')}\n`, lastWriteMs, date };
}
