/** Literal matching and snippets shared by every search path: UTF-16 ranges, non-BMP text, case folding. */
import { describe, expect, test } from 'vitest';
import { findAll, foldTerm, snippetAround, wellFormed } from '../../../src/support/literal-match.js';

const slice = (text: string, r: { start: number; end: number }): string => text.slice(r.start, r.end);

describe('findAll', () => {
  test('ranges are UTF-16 code units: a non-BMP character before the match counts two', () => {
    const text = '😀😀 Needle and 𝒳needle';
    const found = findAll(text, foldTerm('NEEDLE'));
    expect(found).toEqual([
      { start: 5, end: 11 },
      { start: 18, end: 24 },
    ]);
    expect(found.map((r) => slice(text, r))).toEqual(['Needle', 'needle']);
  });

  test('a term that is itself non-BMP', () => {
    const text = 'a 😀 b 😀';
    expect(findAll(text, foldTerm('😀'))).toEqual([
      { start: 2, end: 4 },
      { start: 7, end: 9 },
    ]);
  });

  test('lower-casing that changes length (İ) still maps back to the source text', () => {
    const text = 'xİstanbul İSTANBUL';
    const found = findAll(text, foldTerm('i̇stanbul'));
    expect(found.map((r) => slice(text, r))).toEqual(['İstanbul', 'İSTANBUL']);
  });

  test('unpaired surrogates read as U+FFFD on both sides; the term is trimmed', () => {
    expect(wellFormed('a\uD800b\uDC00c\uD83D\uDE00')).toBe('a\uFFFDb\uFFFDc😀');
    expect(foldTerm('  \uD800X ')).toBe('\uFFFDx');
    expect(findAll('x\uD800x', foldTerm('\uD800'))).toEqual([{ start: 1, end: 2 }]);
  });

  test('overlapping occurrences are counted once each, left to right', () => {
    expect(findAll('aaaa', 'aa')).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 4 },
    ]);
  });
});

describe('snippetAround', () => {
  test("the reference's window: 49 code points before, 96 after, ellipses where cut", () => {
    const text = `${'x'.repeat(300)} middle needle ${'y'.repeat(300)}`;
    const [match] = findAll(text, 'middle');
    const { snippet, range } = snippetAround(text, match!);
    expect(snippet).toBe(`... ${'x'.repeat(48)} middle needle ${'y'.repeat(88)} ...`);
    expect(slice(snippet, range)).toBe('middle');
  });

  test('short texts are whole, with the range in UTF-16 units', () => {
    const { snippet, range } = snippetAround('😀 needle', { start: 3, end: 9 });
    expect(snippet).toBe('😀 needle');
    expect(range).toEqual({ start: 3, end: 9 });
  });

  test('non-BMP characters count as one code point of the window and are never split', () => {
    const text = `${'😀'.repeat(100)} Needle 😀 tail`;
    const [match] = findAll(text, 'needle');
    const { snippet, range } = snippetAround(text, match!);
    // As the reference answered for the same preview: 48 emoji and the space before the match.
    expect(snippet).toBe(`... ${'😀'.repeat(48)} Needle 😀 tail`);
    expect(slice(snippet, range)).toBe('Needle');
    expect(wellFormed(snippet)).toBe(snippet);
  });
});
