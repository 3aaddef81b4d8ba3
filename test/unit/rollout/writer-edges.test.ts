/**
 * Edges of RolloutWriter the offset test leaves open (found by mutation testing, issue 17): empty batches,
 * metadata, the record fields, a new-file writer that finds the file already there, containment refusals
 * before anything is created, relocate, sync/close without a file, and a failing write (/dev/full).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { RolloutWriter } from '../../../src/rollout/writer.js';

const clock = { nowMs: () => Date.UTC(2026, 0, 2, 3, 4, 5, 678) };
const TS = '2026-01-02T03:04:05.678Z';
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'writer-edges-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lines = async (p: string) =>
  (await readFile(p, 'utf8'))
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('RolloutWriter', () => {
  test('an empty batch writes nothing and creates no file', async () => {
    const file = path.join(dir, 'a', 'r.jsonl');
    const w = RolloutWriter.forNewFile(file, clock);
    expect(await w.append([])).toEqual([]);
    expect(existsSync(path.dirname(file))).toBe(false);
    expect(w.materialized).toBe(false);
    expect(w.ordinal).toBe(0);
    expect(w.byteSize).toBe(0);
    await w.sync();
    await w.close();
    await w.close();
  });

  test('a new file gets its directories; records carry timestamp, ordinal, type, payload and metadata only when given', async () => {
    const file = path.join(dir, 'sessions', '2026', '01', '02', 'r.jsonl');
    const w = RolloutWriter.forNewFile(file, clock);
    const out = await w.append([
      { type: 'session_meta', payload: { id: 'x' } },
      { type: 'event_msg', payload: { type: 'e' }, metadata: { m: 1 } },
    ]);
    expect(w.materialized).toBe(true);
    expect(w.ordinal).toBe(2);
    await w.sync();
    await w.close();
    expect(await lines(file)).toEqual([
      { timestamp: TS, ordinal: 0, type: 'session_meta', payload: { id: 'x' } },
      { timestamp: TS, ordinal: 1, type: 'event_msg', payload: { type: 'e' }, metadata: { m: 1 } },
    ]);
    expect(out.map((l) => l.record)).toEqual(await lines(file));
    expect(w.byteSize).toBe(statSync(file).size);
    expect(Object.keys(out[0]!.record)).toEqual(['timestamp', 'ordinal', 'type', 'payload']);
  });

  test('a new-file writer that finds the file already there appends after it', async () => {
    const file = path.join(dir, 'r.jsonl');
    await writeFile(file, '{"type":"x"}\n');
    const w = RolloutWriter.forNewFile(file, clock);
    const [l] = await w.append([{ type: 'a', payload: {} }]);
    await w.close();
    expect(l!.startOffset).toBe(13);
    expect(w.byteSize).toBe(statSync(file).size);
    expect((await readFile(file, 'utf8')).startsWith('{"type":"x"}\n{"timestamp"')).toBe(true);
  });

  test('a new-file writer with a first ordinal continues the file (no exclusive create)', async () => {
    const file = path.join(dir, 'r.jsonl');
    await writeFile(file, 'abc\n');
    const w = RolloutWriter.forNewFile(file, clock, 5);
    expect(w.materialized).toBe(true);
    const [l] = await w.append([{ type: 'a', payload: {} }]);
    await w.close();
    expect(l).toMatchObject({ ordinal: 5, startOffset: 4 });
  });

  test('an existing file ending on a newline gets no extra newline; a torn one gets exactly one', async () => {
    const clean = path.join(dir, 'clean.jsonl');
    await writeFile(clean, '{"type":"x"}\n');
    const w = RolloutWriter.forExistingFile(clean, clock, 1, true);
    await w.append([{ type: 'a', payload: {} }]);
    await w.close();
    expect((await readFile(clean, 'utf8')).split('\n')).toHaveLength(3);

    const torn = path.join(dir, 'torn.jsonl');
    await writeFile(torn, '{"type":"x"}\n{"ty');
    const t = RolloutWriter.forExistingFile(torn, clock, 2, false);
    const [first] = await t.append([{ type: 'a', payload: {} }]);
    const [second] = await t.append([{ type: 'b', payload: {} }]);
    await t.close();
    const text = await readFile(torn, 'utf8');
    expect(text.split('\n')).toHaveLength(5);
    expect(first!.startOffset).toBe(18);
    expect(second!.startOffset).toBe(first!.endOffset);
    expect(t.byteSize).toBe(Buffer.byteLength(text));
    expect([first!.ordinal, second!.ordinal]).toEqual([2, 3]);
  });

  test('contained: a new file under a symlink out of the root is refused before its directory is made', async () => {
    const root = path.join(dir, 'home');
    const outside = path.join(dir, 'outside');
    await mkdir(root);
    await mkdir(outside);
    await symlink(outside, path.join(root, 'sessions'));
    const file = path.join(root, 'sessions', '2026', 'r.jsonl');
    const w = RolloutWriter.forNewFile(file, clock).containedIn(root);
    await expect(w.append([{ type: 'a', payload: {} }])).rejects.toThrow(
      `refusing to write ${file}: a symlink on its path leads out of ${root}`,
    );
    expect(existsSync(path.join(outside, '2026'))).toBe(false);
  });

  test('contained: an existing file reached through a symlink is refused too', async () => {
    const root = path.join(dir, 'home');
    const outside = path.join(dir, 'outside');
    await mkdir(root);
    await mkdir(outside);
    await writeFile(path.join(outside, 'r.jsonl'), '{"type":"x"}\n');
    await symlink(outside, path.join(root, 'sessions'));
    const w = RolloutWriter.forExistingFile(path.join(root, 'sessions', 'r.jsonl'), clock, 1, true).containedIn(root);
    await expect(w.append([{ type: 'a', payload: {} }])).rejects.toThrow(/refusing to write/);
    expect(await readFile(path.join(outside, 'r.jsonl'), 'utf8')).toBe('{"type":"x"}\n');
  });

  test('without containedIn, a path through a symlink is written', async () => {
    const outside = path.join(dir, 'outside');
    await mkdir(outside);
    await symlink(outside, path.join(dir, 'link'));
    const w = RolloutWriter.forNewFile(path.join(dir, 'link', 'r.jsonl'), clock);
    await w.append([{ type: 'a', payload: {} }]);
    await w.close();
    expect(existsSync(path.join(outside, 'r.jsonl'))).toBe(true);
  });

  test('a contained writer inside its root writes normally', async () => {
    const root = path.join(dir, 'home');
    const file = path.join(root, 'sessions', 'r.jsonl');
    const w = RolloutWriter.forNewFile(file, clock).containedIn(root);
    await w.append([{ type: 'a', payload: {} }]);
    await w.close();
    expect(await lines(file)).toHaveLength(1);
  });

  test('relocate: later appends go to the new path', async () => {
    const a = path.join(dir, 'a.jsonl');
    const b = path.join(dir, 'b.jsonl');
    const w = RolloutWriter.forNewFile(a, clock);
    await w.append([{ type: 'one', payload: {} }]);
    await rm(a);
    await writeFile(b, '{"type":"one"}\n');
    await w.relocate(b);
    expect(w.rolloutPath).toBe(b);
    await w.append([{ type: 'two', payload: {} }]);
    await w.close();
    expect(existsSync(a)).toBe(false);
    expect((await lines(b)).map((l) => [l['type'], l['ordinal']])).toEqual([
      ['one', undefined],
      ['two', 1],
    ]);
  });

  test('a failing write (ENOSPC on /dev/full) is rethrown and nothing counts as written', async () => {
    const w = RolloutWriter.forExistingFile('/dev/full', clock, 3, true);
    await expect(w.append([{ type: 'a', payload: {} }])).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(w.ordinal).toBe(3);
    expect(w.byteSize).toBe(0);
    await expect(w.append([{ type: 'a', payload: {} }])).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(w.ordinal).toBe(3);
    await w.close();
  });

  test('an open failure other than EEXIST is thrown (a directory where the file should be)', async () => {
    const file = path.join(dir, 'r.jsonl');
    await mkdir(file);
    const w = RolloutWriter.forNewFile(file, clock);
    await expect(w.append([{ type: 'a', payload: {} }])).rejects.toMatchObject({ code: 'EISDIR' });
  });
  test('an existing-file writer never creates directories: a missing directory fails with ENOENT', async () => {
    const file = path.join(dir, 'gone', 'r.jsonl');
    const w = RolloutWriter.forExistingFile(file, clock, 1, true);
    await expect(w.append([{ type: 'a', payload: {} }])).rejects.toMatchObject({ code: 'ENOENT' });
    expect(existsSync(path.join(dir, 'gone'))).toBe(false);
  });

  test('the file is opened once for many appends and closed by close() (no descriptor left behind)', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    const file = path.join(dir, 'r.jsonl');
    const before = fds();
    const w = RolloutWriter.forNewFile(file, clock);
    await w.append([{ type: 'a', payload: {} }]);
    const open = fds();
    expect(open).toBe(before + 1);
    await w.append([{ type: 'b', payload: {} }]);
    await w.append([{ type: 'c', payload: {} }]);
    expect(fds()).toBe(open);
    await w.close();
    expect(fds()).toBe(before);
  });
});
