/**
 * Finding a chunk's lines in a file, as leniently as the reference (codex-rs/apply-patch/src/seek_sequence.rs):
 * exact, then ignoring trailing whitespace, then ignoring surrounding whitespace, then with typographic dashes,
 * quotes and odd spaces read as their ASCII forms. Models often get whitespace and punctuation slightly wrong.
 */

const DASHES = /[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]/g;
const SINGLE_QUOTES = /[\u2018\u2019\u201A\u201B]/g;
const DOUBLE_QUOTES = /[\u201C\u201D\u201E\u201F]/g;
const SPACES = /[\u00A0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000]/g;

import { trim, trimEnd } from './rust-text.js';

function normalise(s: string): string {
  return trim(s).replace(DASHES, '-').replace(SINGLE_QUOTES, "'").replace(DOUBLE_QUOTES, '"').replace(SPACES, ' ');
}

const PASSES: ReadonlyArray<(s: string) => string> = [(s) => s, trimEnd, trim, normalise];

/**
 * The index of the first occurrence of `pattern` in `lines` at or after `start`, or null. With `eof`, the search
 * starts where the pattern would end the file (falling back to nothing earlier, as the reference does).
 * An empty pattern matches at `start`.
 */
export function seekSequence(lines: readonly string[], pattern: readonly string[], start: number, eof: boolean): number | null {
  if (pattern.length === 0) return start;
  if (pattern.length > lines.length) return null;
  const searchStart = eof ? lines.length - pattern.length : start;
  const lastStart = lines.length - pattern.length;
  for (const norm of PASSES) {
    const wanted = pattern.map(norm);
    for (let i = searchStart; i <= lastStart; i++) {
      let ok = true;
      for (let j = 0; j < wanted.length; j++) {
        if (norm(lines[i + j]!) !== wanted[j]) {
          ok = false;
          break;
        }
      }
      if (ok) return i;
    }
  }
  return null;
}
