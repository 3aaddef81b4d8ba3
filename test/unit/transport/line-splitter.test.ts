import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LineSplitter } from '../../../src/transport/line-splitter.js';

function split(input: Buffer, cuts: number[], maxLineBytes = 1 << 20) {
  const lines: string[] = [];
  const oversized: number[] = [];
  const splitter = new LineSplitter({
    maxLineBytes,
    onLine: (l) => lines.push(l.toString('utf8')),
    onOversized: (n) => oversized.push(n),
  });
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    splitter.push(input.subarray(at, cut));
    at = cut;
  }
  splitter.push(input.subarray(at));
  splitter.end();
  return { lines, oversized };
}

describe('LineSplitter', () => {
  test('any chunking of the input yields the same lines', () => {
    const text = 'a\r\n{"x":"é😀"}\n\nlast line é\n';
    const input = Buffer.from(text, 'utf8');
    const expected = ['a', '{"x":"é😀"}', '', 'last line é'];
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: input.length }), { maxLength: 12 }), (cuts) => {
        expect(split(input, cuts).lines).toEqual(expected);
      }),
    );
  });

  test('oversized lines are reported with their full length whatever the chunking', () => {
    const input = Buffer.from(`ok\n${'z'.repeat(50)}\nok2\n`, 'utf8');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: input.length }), { maxLength: 8 }), (cuts) => {
        expect(split(input, cuts, 10)).toEqual({ lines: ['ok', 'ok2'], oversized: [50] });
      }),
    );
  });

  test('a retained tail is a copy, not a view pinning the whole chunk', () => {
    const held: string[] = [];
    const splitter = new LineSplitter({ maxLineBytes: 100, onLine: (l) => held.push(l.toString()), onOversized: () => {} });
    const chunk = Buffer.from('first\npartial');
    splitter.push(chunk);
    chunk.fill(0x21); // mutate the caller's buffer: the held tail must not change
    splitter.push(Buffer.from('-end\n'));
    expect(held).toEqual(['first', 'partial-end']);
  });
});
