/**
 * src/rollout/session-meta.ts (owner check of a rollout's first line), thread-names.ts (session_index.jsonl) and
 * line-spans.ts (byte spans of complete lines), found by mutation testing (issue 17).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { HomeLayout } from '../../../src/rollout/layout.js';
import { completeLineSpans, readRolloutSpans } from '../../../src/rollout/line-spans.js';
import { checkRolloutOwner } from '../../../src/rollout/session-meta.js';
import { ThreadNames } from '../../../src/rollout/thread-names.js';
import { tempHomeForTest } from '../../support/temp-home.js';

const ID = '01900000-0000-7000-8000-0000000000a1';
const OTHER = '01900000-0000-7000-8000-0000000000b2';
const metaLine = (id: unknown, pad = '') => JSON.stringify({ timestamp: 't', type: 'session_meta', payload: { id, pad } });

describe('checkRolloutOwner', () => {
  test('match, other (with the owner id) and the unreadable first lines', async () => {
    const dir = tempHomeForTest();
    const file = (name: string, text: string) => {
      const p = path.join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    expect(await checkRolloutOwner(file('a', `${metaLine(ID)}\n{"type":"event_msg"}\n`), ID)).toEqual({ result: 'match' });
    expect(await checkRolloutOwner(file('b', `${metaLine(OTHER)}\n`), ID)).toEqual({ result: 'other', ownerId: OTHER });
    // A whole first line without a newline (a file of one line) still counts.
    expect(await checkRolloutOwner(file('c', metaLine(ID)), ID)).toEqual({ result: 'match' });
    expect(await checkRolloutOwner(file('d', ''), ID)).toEqual({ result: 'unreadable' });
    expect(await checkRolloutOwner(file('e', `not json\n${metaLine(ID)}\n`), ID)).toEqual({ result: 'unreadable' });
    expect(await checkRolloutOwner(file('f', `${JSON.stringify({ type: 'event_msg', payload: { id: ID } })}\n`), ID)).toEqual({ result: 'unreadable' });
    expect(await checkRolloutOwner(file('g', `${JSON.stringify({ type: 'session_meta', payload: 'x' })}\n`), ID)).toEqual({ result: 'unreadable' });
    expect(await checkRolloutOwner(file('h', `${metaLine(5)}\n`), ID)).toEqual({ result: 'unreadable' });
    expect(await checkRolloutOwner(file('i', `[${metaLine(ID)}]\n`), ID)).toEqual({ result: 'unreadable' });
    expect(await checkRolloutOwner(file('j', `\n${metaLine(ID)}\n`), ID)).toEqual({ result: 'unreadable' });
  });

  test('missing (ENOENT, ENOTDIR) versus unreadable (a directory, a symlink loop)', async () => {
    const dir = tempHomeForTest();
    expect(await checkRolloutOwner(path.join(dir, 'nope.jsonl'), ID)).toEqual({ result: 'missing' });
    writeFileSync(path.join(dir, 'plain'), 'x');
    expect(await checkRolloutOwner(path.join(dir, 'plain', 'r.jsonl'), ID)).toEqual({ result: 'missing' });
    mkdirSync(path.join(dir, 'adir'));
    expect(await checkRolloutOwner(path.join(dir, 'adir'), ID)).toEqual({ result: 'unreadable' });
    symlinkSync(path.join(dir, 'loop'), path.join(dir, 'loop'));
    expect(await checkRolloutOwner(path.join(dir, 'loop'), ID)).toEqual({ result: 'unreadable' });
  });

  test('a first line spanning several 64 KiB reads is joined; the newline may fall in any chunk', async () => {
    const dir = tempHomeForTest();
    for (const size of [64 * 1024 - 10, 64 * 1024 + 7, 200_000]) {
      const p = path.join(dir, `big-${size}`);
      const line = metaLine(ID, 'x'.repeat(size));
      writeFileSync(p, `${line}\n${metaLine(OTHER)}\n`);
      expect(await checkRolloutOwner(p, ID)).toEqual({ result: 'match' });
      const q = path.join(dir, `big-${size}-other`);
      writeFileSync(q, metaLine(OTHER, 'y'.repeat(size)));
      expect(await checkRolloutOwner(q, ID)).toEqual({ result: 'other', ownerId: OTHER });
    }
  });

  test('a first line of 8 MiB or more is not read; just under 8 MiB is', async () => {
    const dir = tempHomeForTest();
    const limit = 8 * 1024 * 1024;
    const padded = (bytes: number) => {
      const base = metaLine(ID);
      // Spaces after the JSON keep it valid: `{…}   `.
      return base + ' '.repeat(bytes - base.length);
    };
    const under = path.join(dir, 'under');
    writeFileSync(under, padded(limit - 1));
    expect(await checkRolloutOwner(under, ID)).toEqual({ result: 'match' });
    const at = path.join(dir, 'at');
    writeFileSync(at, padded(limit));
    expect(await checkRolloutOwner(at, ID)).toEqual({ result: 'unreadable' });
    const atWithNewline = path.join(dir, 'at-nl');
    writeFileSync(atWithNewline, `${padded(limit)}\n`);
    expect(await checkRolloutOwner(atWithNewline, ID)).toEqual({ result: 'unreadable' });
  });
});

describe('ThreadNames', () => {
  test('append writes one JSON line with a nanosecond RFC 3339 updated_at, under a lock file', async () => {
    const home = tempHomeForTest();
    const layout = new HomeLayout(home);
    const names = new ThreadNames(layout);
    await names.append(ID, 'first', Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    await names.append(ID, 'second "quoted"', Date.UTC(2026, 0, 2, 3, 4, 6, 5));
    expect(readFileSync(layout.sessionIndexPath, 'utf8')).toBe(
      '{"id":"01900000-0000-7000-8000-0000000000a1","thread_name":"first","updated_at":"2026-01-02T03:04:05.678000000Z"}\n' +
        '{"id":"01900000-0000-7000-8000-0000000000a1","thread_name":"second \\"quoted\\"","updated_at":"2026-01-02T03:04:06.005000000Z"}\n',
    );
    expect(existsSync(`${layout.sessionIndexPath}.lock`)).toBe(true);
    expect(await names.nameOf(ID)).toBe('second "quoted"');
  });

  test('no index file: no names; the latest line per id wins; torn, blank and ill-typed lines are skipped', async () => {
    const home = tempHomeForTest();
    const layout = new HomeLayout(home);
    const names = new ThreadNames(layout);
    expect((await names.names()).size).toBe(0);
    expect(await names.nameOf(ID)).toBeNull();
    writeFileSync(
      layout.sessionIndexPath,
      [
        JSON.stringify({ id: ID, thread_name: 'a' }),
        '',
        '   ',
        JSON.stringify({ id: OTHER, thread_name: 'b' }),
        JSON.stringify({ id: ID, thread_name: 'c' }),
        JSON.stringify({ id: OTHER, thread_name: 5 }),
        JSON.stringify({ id: 7, thread_name: 'd' }),
        JSON.stringify(['x']),
        '{"id":"torn',
      ].join('\n'),
    );
    expect([...(await names.names())]).toEqual([
      [ID, 'c'],
      [OTHER, 'b'],
    ]);
    expect(await names.nameOf(OTHER)).toBe('b');
  });

  test('reads are cached until the file changes size', async () => {
    const home = tempHomeForTest();
    const layout = new HomeLayout(home);
    const names = new ThreadNames(layout);
    writeFileSync(layout.sessionIndexPath, `${JSON.stringify({ id: ID, thread_name: 'a' })}\n`);
    const first = await names.names();
    expect(await names.names()).toBe(first);
    appendFileSync(layout.sessionIndexPath, `${JSON.stringify({ id: ID, thread_name: 'bb' })}\n`);
    const second = await names.names();
    expect(second).not.toBe(first);
    expect(second.get(ID)).toBe('bb');
  });

  test('an index path that is a directory reads as no names', async () => {
    const home = tempHomeForTest();
    const layout = new HomeLayout(home);
    mkdirSync(layout.sessionIndexPath);
    expect((await new ThreadNames(layout).names()).size).toBe(0);
  });
});

describe('line spans', () => {
  test('complete lines only, with byte offsets from the base, whatever the UTF-8', () => {
    const bytes = Buffer.from('a\nél\u{1F600}\n\ntail', 'utf8');
    const spans = completeLineSpans(bytes, 100);
    expect(spans.map((s) => [s.startOffset, s.endOffset, s.bytes.toString('utf8')])).toEqual([
      [100, 102, 'a\n'],
      [102, 110, 'él\u{1F600}\n'],
      [110, 111, '\n'],
    ]);
    expect(completeLineSpans(Buffer.from('x\n'))).toEqual([{ startOffset: 0, endOffset: 2, bytes: Buffer.from('x\n') }]);
    expect(completeLineSpans(Buffer.alloc(0))).toEqual([]);
    // A buffer that starts with a newline: an empty first line, then the rest.
    expect(completeLineSpans(Buffer.from('\nab\n')).map((s) => [s.startOffset, s.endOffset])).toEqual([
      [0, 1],
      [1, 4],
    ]);
    expect(completeLineSpans(Buffer.from('no newline'))).toEqual([]);
  });

  test('readRolloutSpans: the size counts a trailing fragment, the lines do not', async () => {
    const dir = tempHomeForTest();
    const p = path.join(dir, 'r.jsonl');
    const big = 'z'.repeat(100_000);
    writeFileSync(p, `{"a":1}\n${big}\n{"torn`);
    const spans = await readRolloutSpans(p);
    expect(spans.size).toBe(8 + big.length + 1 + 6);
    expect(spans.lines.map((l) => [l.startOffset, l.endOffset])).toEqual([
      [0, 8],
      [8, 8 + big.length + 1],
    ]);
    expect(spans.lines[1]!.bytes.toString()).toBe(`${big}\n`);
    writeFileSync(p, '');
    expect(await readRolloutSpans(p)).toEqual({ size: 0, lines: [] });
    await expect(readRolloutSpans(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
