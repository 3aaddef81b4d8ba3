/**
 * Our unified diffs against the reference's: 40 random patches (files built from few distinct lines, so that
 * repeated lines make the alignment ambiguous) whose `fileChange` diffs (context 1) and `turn/diff/updated` bodies
 * (context 3) 0.169 sent (fixtures/reference-diffs-0.169.json); and, as a property, that the hunks' lines rebuild
 * both texts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { diffLines, splitLines } from '../../../../src/tools/apply-patch/line-diff.js';
import { unifiedDiff } from '../../../../src/tools/apply-patch/unified-diff.js';

const FIXTURE = JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures/reference-diffs-0.169.json'), 'utf8')) as {
  cases: Array<{ old: string; new: string; context1: string; context3: string }>;
};

describe('unified diffs as the reference renders them', () => {
  test.for(FIXTURE.cases.map((c, i) => ({ ...c, i })))('reference case $i', (c) => {
    expect(unifiedDiff(c.old, c.new, 1)).toBe(c.context1);
    expect(unifiedDiff(c.old, c.new, 3, { old: 'a/r.txt', new: 'b/r.txt' })).toBe(c.context3);
  });

  test('hunks closer than twice the context are one; header counts of 1 and 0; no diff for equal texts', () => {
    const ten = 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n';
    const changed = ten.replace('three', 'THREE').replace('nine', 'NINE');
    expect(unifiedDiff(ten, changed, 1)).toBe('@@ -2,3 +2,3 @@\n two\n-three\n+THREE\n four\n@@ -8,3 +8,3 @@\n eight\n-nine\n+NINE\n ten\n');
    expect(unifiedDiff(ten, changed, 3, { old: 'a/upd.txt', new: 'b/upd.txt' })).toBe(
      '--- a/upd.txt\n+++ b/upd.txt\n@@ -1,10 +1,10 @@\n one\n two\n-three\n+THREE\n four\n five\n six\n seven\n eight\n-nine\n+NINE\n ten\n',
    );
    expect(unifiedDiff('', 'hello\nworld\n', 3, { old: '/dev/null', new: 'b/x' })).toBe('--- /dev/null\n+++ b/x\n@@ -0,0 +1,2 @@\n+hello\n+world\n');
    expect(unifiedDiff('bye\n', '', 3)).toBe('@@ -1 +0,0 @@\n-bye\n');
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 3, { old: 'a/f', new: 'b/f' })).toBe('');
  });

  test('a last line without a newline is marked', () => {
    expect(unifiedDiff('a\nb', 'A\nb\n', 3)).toBe('@@ -1,2 +1,2 @@\n-a\n-b\n\\ No newline at end of file\n+A\n+b\n');
  });

  test('between equal runs, the deletion comes before the insertion', () => {
    expect(diffLines(splitLines('a\nb\nc\n'), splitLines('a\nX\nc\n'))).toEqual([
      { tag: 'equal', oldIndex: 0, newIndex: 0, len: 1 },
      { tag: 'delete', oldIndex: 1, oldLen: 1, newIndex: 1 },
      { tag: 'insert', oldIndex: 2, newIndex: 1, newLen: 1 },
      { tag: 'equal', oldIndex: 2, newIndex: 2, len: 1 },
    ]);
  });
});

describe('the edit script is complete', () => {
  const lineOf = fc.constantFrom('', '}', 'a', 'b', '    return x;', 'fn f() {');
  const text = fc
    .tuple(fc.array(lineOf, { maxLength: 30 }), fc.boolean())
    .map(([lines, nl]) => (lines.length === 0 ? '' : lines.join('\n') + (nl ? '\n' : '')));

  test('with all lines as context, the kept and removed lines rebuild the old text, the kept and added the new', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const body = unifiedDiff(a, b, 1_000_000)
          .split('\n')
          .filter((l) => !l.startsWith('@@') && !l.startsWith('\\'));
        // Rebuild from the ops rather than the printed text, which marks a missing final newline on its own line.
        const ops = diffLines(splitLines(a), splitLines(b));
        const oldLines = splitLines(a);
        const newLines = splitLines(b);
        let rebuiltOld = '';
        let rebuiltNew = '';
        for (const op of ops) {
          if (op.tag === 'equal') {
            for (let i = 0; i < op.len; i++) {
              expect(oldLines[op.oldIndex + i]).toBe(newLines[op.newIndex + i]);
              rebuiltOld += oldLines[op.oldIndex + i];
              rebuiltNew += newLines[op.newIndex + i];
            }
          } else if (op.tag === 'delete') rebuiltOld += oldLines.slice(op.oldIndex, op.oldIndex + op.oldLen).join('');
          else rebuiltNew += newLines.slice(op.newIndex, op.newIndex + op.newLen).join('');
        }
        return rebuiltOld === a && rebuiltNew === b && (a === b || body.length > 0);
      }),
      { numRuns: 500 },
    );
  });
});
