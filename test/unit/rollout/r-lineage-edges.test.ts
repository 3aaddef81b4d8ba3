/**
 * src/rollout/lineage.ts with a fake finder (mutation testing, issue 17): which session_meta makes a fork, the
 * active-then-archived lookup, the cut by ordinal (or line index), chains, cycles and the depth limit.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { readThreadLines, type RolloutFinder } from '../../../src/rollout/lineage.js';
import { tempHomeForTest } from '../../support/temp-home.js';

const id = (n: number) => `01900000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;

interface FakeLine {
  type: string;
  ordinal?: number;
  payload: Record<string, unknown>;
}

class Finder implements RolloutFinder {
  readonly active = new Map<string, string>();
  readonly archived = new Map<string, string>();
  readonly calls: [string, boolean][] = [];
  async find(threadId: string, archived: boolean): Promise<string | null> {
    this.calls.push([threadId, archived]);
    return (archived ? this.archived : this.active).get(threadId) ?? null;
  }
}

function write(dir: string, name: string, lines: FakeLine[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, lines.map((l) => JSON.stringify({ timestamp: 't', ...l })).join('\n') + '\n');
  return file;
}

const meta = (self: number, fork?: { from: unknown; upTo: unknown }, ordinal?: number): FakeLine => ({
  type: 'session_meta',
  ...(ordinal === undefined ? {} : { ordinal }),
  payload: { id: id(self), ...(fork ? { forked_from_id: fork.from, forked_from_ordinal_exclusive: fork.upTo } : {}) },
});
const msg = (text: string, ordinal?: number): FakeLine => ({ type: 'event_msg', ...(ordinal === undefined ? {} : { ordinal }), payload: { type: 'user_message', message: text } });
const texts = (lines: { type: string; payload: Record<string, unknown> }[]) => lines.map((l) => (l.type === 'session_meta' ? `meta:${String(l.payload['id']).slice(-2)}` : String(l.payload['message'])));

describe('readThreadLines', () => {
  test('a file that is not a fork reads as it is, without any lookup', async () => {
    const dir = tempHomeForTest();
    const finder = new Finder();
    const file = write(dir, 'a.jsonl', [meta(1), msg('x'), msg('y')]);
    const { own, lines } = await readThreadLines(finder, file);
    expect(texts(lines)).toEqual(['meta:01', 'x', 'y']);
    expect(own.lines).toHaveLength(3);
    expect(finder.calls).toEqual([]);
    // Not starting with a session_meta: no lineage either.
    const noMeta = write(dir, 'b.jsonl', [msg('m', 0), { ...meta(2, { from: id(1), upTo: 5 }), type: 'turn_context' }]);
    finder.active.set(id(1), file);
    expect(texts((await readThreadLines(finder, noMeta)).lines)).toEqual(['m', 'undefined']);
    expect(finder.calls).toEqual([]);
  });

  test('only a canonical source id with a numeric cut makes a reference fork', async () => {
    const dir = tempHomeForTest();
    const finder = new Finder();
    finder.active.set(id(1), write(dir, 'src.jsonl', [meta(1, undefined, 0), msg('s1', 1)]));
    for (const fork of [
      { from: id(1), upTo: '2' },
      { from: id(1), upTo: null },
      { from: 42, upTo: 2 },
      { from: id(1).toUpperCase().replace('0190', 'ABCD'), upTo: 2 },
      { from: '../x', upTo: 2 },
    ]) {
      const file = write(dir, 'fork.jsonl', [meta(2, fork), msg('own')]);
      expect(texts((await readThreadLines(finder, file)).lines)).toEqual(['meta:02', 'own']);
    }
    expect(finder.calls).toEqual([]);
    // Our own forks copy the lines and carry no cut: read as they are.
    const copied = write(dir, 'copied.jsonl', [{ ...meta(2), payload: { id: id(2), forked_from_id: id(1) } }, msg('s1'), msg('own')]);
    expect(texts((await readThreadLines(finder, copied)).lines)).toEqual(['meta:02', 's1', 'own']);
  });

  test('source lines before the cut (by ordinal, else by index), without its session_meta, then the fork’s own', async () => {
    const dir = tempHomeForTest();
    const finder = new Finder();
    finder.active.set(id(1), write(dir, 'src.jsonl', [meta(1, undefined, 0), msg('s1', 1), msg('s2', 2), msg('s3', 3), msg('s4', 4)]));
    const fork = write(dir, 'fork.jsonl', [meta(2, { from: id(1), upTo: 3 }, 3), msg('f1', 4)]);
    const { own, lines } = await readThreadLines(finder, fork);
    expect(texts(lines)).toEqual(['meta:02', 's1', 's2', 'f1']);
    expect(texts(own.lines)).toEqual(['meta:02', 'f1']);
    expect(finder.calls).toEqual([[id(1), false]]);
    // Older source files carry no ordinals: the line index stands in.
    finder.active.set(id(3), write(dir, 'old.jsonl', [meta(3), msg('o1'), msg('o2'), msg('o3')]));
    const fork2 = write(dir, 'fork2.jsonl', [meta(4, { from: id(3), upTo: 2 }), msg('f')]);
    expect(texts((await readThreadLines(finder, fork2)).lines)).toEqual(['meta:04', 'o1', 'f']);
    const all = write(dir, 'fork3.jsonl', [meta(5, { from: id(3), upTo: 0 }), msg('g')]);
    expect(texts((await readThreadLines(finder, all)).lines)).toEqual(['meta:05', 'g']);
  });

  test('an archived source is found after the active lookup misses; a missing source leaves the fork’s own lines', async () => {
    const dir = tempHomeForTest();
    const finder = new Finder();
    finder.archived.set(id(1), write(dir, 'src.jsonl', [meta(1, undefined, 0), msg('s1', 1)]));
    const fork = write(dir, 'fork.jsonl', [meta(2, { from: id(1), upTo: 9 }), msg('f1')]);
    expect(texts((await readThreadLines(finder, fork)).lines)).toEqual(['meta:02', 's1', 'f1']);
    expect(finder.calls).toEqual([
      [id(1), false],
      [id(1), true],
    ]);
    const orphan = write(dir, 'orphan.jsonl', [meta(3, { from: id(9), upTo: 9 }), msg('o')]);
    expect(texts((await readThreadLines(finder, orphan)).lines)).toEqual(['meta:03', 'o']);
  });

  test('a fork of a fork includes the grand-source lines; cycles and self-forks stop', async () => {
    const dir = tempHomeForTest();
    const finder = new Finder();
    const a = write(dir, 'a.jsonl', [meta(1), msg('a1'), msg('a2')]);
    const b = write(dir, 'b.jsonl', [meta(2, { from: id(1), upTo: 2 }), msg('b1')]);
    finder.active.set(id(1), a);
    finder.active.set(id(2), b);
    const c = write(dir, 'c.jsonl', [meta(3, { from: id(2), upTo: 3 }), msg('c1')]);
    expect(texts((await readThreadLines(finder, c)).lines)).toEqual(['meta:03', 'a1', 'b1', 'c1']);

    // x forks y, y forks x: each file is read once.
    const x = path.join(dir, 'x.jsonl');
    const y = path.join(dir, 'y.jsonl');
    write(dir, 'x.jsonl', [meta(10, { from: id(11), upTo: 9 }), msg('x1')]);
    write(dir, 'y.jsonl', [meta(11, { from: id(10), upTo: 9 }), msg('y1')]);
    finder.active.set(id(10), x);
    finder.active.set(id(11), y);
    expect(texts((await readThreadLines(finder, x)).lines)).toEqual(['meta:0a', 'y1', 'x1']);
    const self = write(dir, 'self.jsonl', [meta(12, { from: id(12), upTo: 9 }), msg('s')]);
    finder.active.set(id(12), self);
    expect(texts((await readThreadLines(finder, self)).lines)).toEqual(['meta:0c', 's']);
  });

  test('a chain is followed 16 forks deep, no further', async () => {
    const dir = tempHomeForTest();
    const finder = new Finder();
    // f0 forks f1, which forks f2, … f18 is a plain file.
    let first = '';
    for (let n = 0; n <= 18; n += 1) {
      const file = write(dir, `f${n}.jsonl`, [meta(100 + n, n < 18 ? { from: id(101 + n), upTo: 99 } : undefined), msg(`own${n}`)]);
      finder.active.set(id(100 + n), file);
      if (n === 0) first = file;
    }
    const { lines } = await readThreadLines(finder, first);
    const owns = texts(lines).slice(1);
    expect(owns).toEqual(Array.from({ length: 17 }, (_, i) => `own${16 - i}`));
  });
});
