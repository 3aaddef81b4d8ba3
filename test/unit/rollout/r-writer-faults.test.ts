/**
 * RolloutWriter under injected write faults (mutation testing, issue 17): short writes are continued, a batch
 * cut off by an error is truncated away, and when even the truncate fails the landed fragment is isolated on its
 * own line with ordinals still equal to line numbers. The file handle is wrapped through a mock of `open`.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

interface Faults {
  /** Max bytes each write call takes (a short write), or null for all. */
  chunk: number | null;
  /** Throw on the n-th write call (1-based) of the next append, or null. */
  failOnWrite: number | null;
  failTruncate: boolean;
  /** Fail `stat` calls after the first n (the open's size read). */
  failStatAfter: number | null;
  failOpenStat: boolean;
  swapAfterMkdir: { link: string; target: string } | null;
  writes: number;
  stats: number;
  closed: number;
}
const faults: Faults = { chunk: null, failOnWrite: null, failTruncate: false, failStatAfter: null, failOpenStat: false, swapAfterMkdir: null, writes: 0, stats: 0, closed: 0 };

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const wrap = (handle: FileHandle): FileHandle =>
    ({
      write: async (buffer: Buffer, offset: number, length: number) => {
        faults.writes += 1;
        if (faults.failOnWrite !== null && faults.writes === faults.failOnWrite) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return handle.write(buffer, offset, faults.chunk === null ? length : Math.min(length, faults.chunk));
      },
      stat: async () => {
        faults.stats += 1;
        if (faults.failOpenStat) throw Object.assign(new Error('EIO: stat'), { code: 'EIO' });
        if (faults.failStatAfter !== null && faults.stats > faults.failStatAfter) throw Object.assign(new Error('EIO: stat'), { code: 'EIO' });
        return handle.stat();
      },
      truncate: async (len: number) => {
        if (faults.failTruncate) throw Object.assign(new Error('EPERM: truncate'), { code: 'EPERM' });
        return handle.truncate(len);
      },
      sync: () => handle.sync(),
      close: async () => {
        faults.closed += 1;
        return handle.close();
      },
    }) as unknown as FileHandle;
  return {
    ...real,
    open: async (...args: Parameters<typeof real.open>) => wrap(await real.open(...args)),
    mkdir: async (...args: Parameters<typeof real.mkdir>) => {
      const result = await real.mkdir(...args);
      if (faults.swapAfterMkdir) {
        // Another process swaps the fresh directory for a symlink leading out of the root.
        await real.rm(faults.swapAfterMkdir.link, { recursive: true, force: true });
        await real.symlink(faults.swapAfterMkdir.target, faults.swapAfterMkdir.link);
      }
      return result;
    },
  };
});

const { RolloutWriter } = await import('../../../src/rollout/writer.js');

const clock = { nowMs: () => Date.UTC(2026, 0, 2, 3, 4, 5, 678) };
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'r-writer-faults-'));
  Object.assign(faults, { chunk: null, failOnWrite: null, failTruncate: false, failStatAfter: null, failOpenStat: false, swapAfterMkdir: null, writes: 0, stats: 0, closed: 0 });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const line = (n: number) => ({ type: 'event_msg', payload: { type: 'x', n } });
const decoded = async (file: string) => (await readFile(file, 'utf8')).split('\n');

describe('RolloutWriter with faults', () => {
  test('short writes are continued until the whole batch is written', async () => {
    const file = path.join(dir, 'r.jsonl');
    const w = RolloutWriter.forNewFile(file, clock);
    faults.chunk = 7;
    const out = await w.append([line(0), line(1), line(2)]);
    await w.close();
    const text = await readFile(file, 'utf8');
    expect(faults.writes).toBe(Math.ceil(Buffer.byteLength(text) / 7));
    expect(text.split('\n').slice(0, 3).map((l) => (JSON.parse(l) as { ordinal: number }).ordinal)).toEqual([0, 1, 2]);
    expect(out.at(-1)!.endOffset).toBe(Buffer.byteLength(text));
    expect(w.byteSize).toBe(Buffer.byteLength(text));
  });

  test('a batch cut off by an error is truncated away; the next batch continues the ordinals', async () => {
    const file = path.join(dir, 'r.jsonl');
    const w = RolloutWriter.forNewFile(file, clock);
    await w.append([line(0)]);
    const before = await readFile(file, 'utf8');
    faults.writes = 0;
    faults.chunk = 10;
    faults.failOnWrite = 3;
    await expect(w.append([line(1), line(2)])).rejects.toThrow('ENOSPC');
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(w.ordinal).toBe(1);
    expect(w.byteSize).toBe(Buffer.byteLength(before));
    faults.failOnWrite = null;
    const out = await w.append([line(3)]);
    await w.close();
    expect(out[0]).toMatchObject({ ordinal: 1, startOffset: Buffer.byteLength(before) });
    const lines = (await decoded(file)).filter(Boolean).map((l) => JSON.parse(l) as { ordinal: number; payload: { n: number } });
    expect(lines.map((l) => [l.ordinal, l.payload.n])).toEqual([
      [0, 0],
      [1, 3],
    ]);
  });

  test('an error on the first write call leaves nothing to cut', async () => {
    const file = path.join(dir, 'r.jsonl');
    await writeFile(file, '');
    const w = RolloutWriter.forExistingFile(file, clock, 0, true);
    faults.failOnWrite = 1;
    faults.failTruncate = true;
    await expect(w.append([line(0)])).rejects.toThrow('ENOSPC');
    expect(await readFile(file, 'utf8')).toBe('');
    expect(w.ordinal).toBe(0);
    expect(w.materialized).toBe(false);
  });

  test('when the cut fails, whole landed lines count and a fragment gets a line of its own', async () => {
    const file = path.join(dir, 'r.jsonl');
    const w = RolloutWriter.forNewFile(file, clock);
    await w.append([line(0)]);
    const firstLen = Buffer.byteLength(await readFile(file, 'utf8'));
    // The next batch: two lines land whole, the third only in part.
    const batchLine = (n: number) => JSON.stringify({ timestamp: '2026-01-02T03:04:05.678Z', ordinal: n, ...line(n) }) + '\n';
    const landed = Buffer.byteLength(batchLine(1) + batchLine(2)) + 5;
    faults.writes = 0;
    faults.chunk = landed;
    faults.failOnWrite = 2;
    faults.failTruncate = true;
    await expect(w.append([line(1), line(2), line(3)])).rejects.toThrow('ENOSPC');
    // Ordinals 1 and 2 landed, the fragment of 3 occupies line 3: the next line is ordinal 4 on a fresh line.
    expect(w.ordinal).toBe(4);
    expect(w.byteSize).toBe(firstLen + landed);
    faults.failOnWrite = null;
    faults.chunk = null;
    const out = await w.append([line(9)]);
    expect(out[0]).toMatchObject({ ordinal: 4, startOffset: firstLen + landed + 1 });
    await w.close();
    const text = await decoded(file);
    expect(text).toHaveLength(6);
    expect(JSON.parse(text[4]!)).toMatchObject({ ordinal: 4, payload: { n: 9 } });
    expect(text[3]).toBe(batchLine(3).slice(0, 5));
  });

  test('a failed cut that ends on a whole line needs no newline; a torn tail before it is discounted', async () => {
    const file = path.join(dir, 'r.jsonl');
    await writeFile(file, '{"torn');
    // The reader saw 1 line (the torn one): ordinal 1, a newline first.
    const w = RolloutWriter.forExistingFile(file, clock, 1, false);
    const batchLine = (n: number) => JSON.stringify({ timestamp: '2026-01-02T03:04:05.678Z', ordinal: n, ...line(n) }) + '\n';
    // The leading newline and the first line land whole, then the write fails.
    faults.chunk = 1 + Buffer.byteLength(batchLine(1));
    faults.failOnWrite = 2;
    faults.failTruncate = true;
    await expect(w.append([line(1), line(2)])).rejects.toThrow('ENOSPC');
    expect(w.ordinal).toBe(2);
    faults.failOnWrite = null;
    faults.chunk = null;
    const out = await w.append([line(5)]);
    await w.close();
    const expected = '{"torn\n' + batchLine(1);
    expect(out[0]).toMatchObject({ ordinal: 2, startOffset: Buffer.byteLength(expected) });
    expect(await readFile(file, 'utf8')).toBe(expected + JSON.stringify(out[0]!.record) + '\n');
  });

  test('when stat fails after a failed write, the size is what was known plus what landed', async () => {
    const file = path.join(dir, 'r.jsonl');
    await writeFile(file, '');
    const w = RolloutWriter.forExistingFile(file, clock, 0, true);
    // The first stat (at open) works; the ones after the failed write do not (so the cut fails as well).
    faults.failStatAfter = 1;
    faults.chunk = 4;
    faults.failOnWrite = 3;
    await expect(w.append([line(0)])).rejects.toThrow('ENOSPC');
    expect(w.byteSize).toBe(8);
    expect(w.ordinal).toBe(1);
    expect(Buffer.byteLength(await readFile(file, 'utf8'))).toBe(8);
  });

  test('a failing stat at open closes the descriptor and is thrown', async () => {
    const file = path.join(dir, 'r.jsonl');
    await writeFile(file, 'x\n');
    const w = RolloutWriter.forExistingFile(file, clock, 1, true);
    faults.failOpenStat = true;
    await expect(w.append([line(0)])).rejects.toThrow('EIO: stat');
    expect(faults.closed).toBe(1);
    faults.failOpenStat = false;
    await w.append([line(1)]);
    await w.close();
    expect(faults.closed).toBe(2);
    expect((await decoded(file)).filter(Boolean)).toHaveLength(2);
  });

  test('a date directory swapped for a symlink after mkdir is refused before the file is created', async () => {
    const root = path.join(dir, 'home');
    const outside = path.join(dir, 'outside');
    await mkdir(outside, { recursive: true });
    const file = path.join(root, 'sessions', '2026', 'r.jsonl');
    const w = RolloutWriter.forNewFile(file, clock).containedIn(root);
    faults.swapAfterMkdir = { link: path.join(root, 'sessions', '2026'), target: outside };
    await expect(w.append([line(0)])).rejects.toThrow(`refusing to write ${file}: a symlink on its path leads out of ${root}`);
    expect(await readdir(outside)).toEqual([]);
    expect(w.materialized).toBe(false);
  });
});
