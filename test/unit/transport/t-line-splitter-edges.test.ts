/** Edges of the line splitter (issue 17): the exact bound across chunks, what is held, `\r` handling, end of input. */
import { describe, expect, test } from 'vitest';
import { LineSplitter } from '../../../src/transport/line-splitter.js';

function recorder(maxLineBytes: number, stripCarriageReturn?: boolean) {
  const events: string[] = [];
  const splitter = new LineSplitter({
    maxLineBytes,
    ...(stripCarriageReturn === undefined ? {} : { stripCarriageReturn }),
    onLine: (l) => events.push(`line ${JSON.stringify(l.toString('latin1'))}`),
    onOversized: (n) => events.push(`oversized ${n}`),
  });
  return { splitter, events };
}

const b = (s: string) => Buffer.from(s, 'latin1');

describe('LineSplitter edges', () => {
  test('a line of exactly the bound split across chunks is kept; one byte more is reported with its full length', () => {
    const { splitter, events } = recorder(6);
    splitter.push(b('abc'));
    expect(splitter.bufferedBytes).toBe(3);
    splitter.push(b('def\nabc'));
    splitter.push(b('defg'));
    expect(splitter.bufferedBytes).toBe(0);
    splitter.push(b('hi\n'));
    expect(events).toEqual(['line "abcdef"', 'oversized 9']);
  });

  test('after an oversized line the splitter starts clean: the next lines are whole and nothing is held', () => {
    const { splitter, events } = recorder(4);
    splitter.push(b('ab'));
    splitter.push(b('cdefgh'));
    expect(splitter.bufferedBytes).toBe(0);
    splitter.push(b('ij\nxy'));
    expect(splitter.bufferedBytes).toBe(2);
    splitter.push(b('z\nq\n'));
    expect(events).toEqual(['oversized 10', 'line "xyz"', 'line "q"']);
  });

  test('an oversized line ending in the middle of a chunk is reported, and the rest of the chunk is read', () => {
    const { splitter, events } = recorder(3);
    splitter.push(b('abcd'));
    splitter.push(b('ef\nok\nfin'));
    splitter.end();
    expect(events).toEqual(['oversized 6', 'line "ok"', 'line "fin"']);
  });

  test('an oversized line in one chunk, after a held tail, counts the held bytes too', () => {
    const { splitter, events } = recorder(5);
    splitter.push(b('ab'));
    splitter.push(b('cdefgh\n'));
    expect(events).toEqual(['oversized 8']);
  });

  test('a held piece is a copy even when the chunk is reused for the next push', () => {
    const { splitter, events } = recorder(100);
    const reused = Buffer.alloc(4);
    reused.write('ab\nc', 'latin1');
    splitter.push(reused);
    reused.write('de\nf', 'latin1');
    splitter.push(reused);
    reused.write('gh\n.', 'latin1');
    splitter.push(reused.subarray(0, 3));
    expect(events).toEqual(['line "ab"', 'line "cde"', 'line "fgh"']);
  });

  test('one trailing \\r is dropped by default, only at the end, only one', () => {
    const { splitter, events } = recorder(100);
    splitter.push(b('a\r\n\r\n\r\r\nb\rc\n'));
    splitter.push(b('d\r'));
    splitter.push(b('\n'));
    expect(events).toEqual(['line "a"', 'line ""', 'line "\\r"', 'line "b\\rc"', 'line "d"']);
  });

  test('stripCarriageReturn: false keeps the \\r; true is the default', () => {
    const kept = recorder(100, false);
    kept.splitter.push(b('a\r\n'));
    expect(kept.events).toEqual(['line "a\\r"']);
    const stripped = recorder(100, true);
    stripped.splitter.push(b('a\r\n'));
    expect(stripped.events).toEqual(['line "a"']);
  });

  test('end() delivers a held tail once, reports an unfinished oversized line, and is silent when nothing is held', () => {
    const tail = recorder(10);
    tail.splitter.push(b('x\nlast'));
    tail.splitter.end();
    tail.splitter.end();
    expect(tail.events).toEqual(['line "x"', 'line "last"']);

    const over = recorder(3);
    over.splitter.push(b('abcdef'));
    over.splitter.end();
    expect(over.events).toEqual(['oversized 6']);

    const empty = recorder(3);
    empty.splitter.push(b('ab\n'));
    empty.splitter.end();
    expect(empty.events).toEqual(['line "ab"']);
  });

  test('a line that is not the first of its chunk uses the fast path only when nothing is held', () => {
    const { splitter, events } = recorder(100);
    splitter.push(b('he'));
    splitter.push(b('llo\nworld\n'));
    expect(events).toEqual(['line "hello"', 'line "world"']);
  });
});
