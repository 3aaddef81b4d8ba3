/**
 * The turn's net diff across patches (`turn/diff/updated`), rendered as the reference renders it: git headers,
 * blob ids, /dev/null sides, context 3, paths relative to the cwd (absolute outside it), netting-out.
 * Expected texts come from the reference's `turn/diff/updated` for the same files and patches.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { applyHunks } from '../../../../src/tools/apply-patch/apply.js';
import { diffDisplayRoot, gitBlobOid, TurnDiffs, TurnDiffTracker } from '../../../../src/tools/apply-patch/turn-diff-tracker.js';
import { verifyPatch, type PatchAction } from '../../../../src/tools/apply-patch/verify.js';
import { tempHomeForTest } from '../../../support/temp-home.js';

const TEN = 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n';

function workspace(): string {
  const cwd = path.join(tempHomeForTest('cas-diff-'), 'work');
  mkdirSync(cwd);
  writeFileSync(path.join(cwd, 'upd.txt'), TEN);
  writeFileSync(path.join(cwd, 'del.txt'), 'bye\n');
  writeFileSync(path.join(cwd, 'mv.txt'), 'moving\nline2\n');
  return cwd;
}

/** Verifies and applies a patch, as the handler does before tracking it. */
async function patch(cwd: string, text: string): Promise<PatchAction> {
  const result = await verifyPatch(text, cwd);
  if (!result.ok) throw new Error(result.message);
  const outcome = await applyHunks(result.action.hunks, cwd);
  expect(outcome.exitCode).toBe(0);
  return result.action;
}

describe('turn diff tracker', () => {
  test('git blob ids', () => {
    expect(gitBlobOid('bye\n')).toBe('b023018cabc396e7692c70bbf5784a93d3f738ab');
    expect(gitBlobOid(TEN)).toBe('c9e9e05f445e6b772f19fea1449759b7458a446e');
  });

  test('add, update with two chunks, delete and move in one patch (the reference text)', async () => {
    const cwd = workspace();
    const tracker = new TurnDiffTracker(cwd);
    const action = await patch(cwd, '*** Begin Patch\n*** Add File: sub/new.txt\n+hello\n+world\n*** Update File: upd.txt\n@@\n two\n-three\n+THREE\n four\n@@ eight\n-nine\n+NINE\n*** Delete File: del.txt\n*** Update File: mv.txt\n*** Move to: moved/mv2.txt\n@@\n moving\n-line2\n+LINE2\n*** End Patch\n');
    expect(tracker.diffAfter(action)).toBe(
      'diff --git a/del.txt b/del.txt\ndeleted file mode 100644\nindex b023018cabc396e7692c70bbf5784a93d3f738ab..0000000000000000000000000000000000000000\n--- a/del.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n' +
        'diff --git a/mv.txt b/moved/mv2.txt\nindex c6fa2ebaa395c556c3b363e6b7f061f8466f9b62..65ba1a774f29d8c0b7474c5aed69f4eb4597ac39\n--- a/mv.txt\n+++ b/moved/mv2.txt\n@@ -1,2 +1,2 @@\n moving\n-line2\n+LINE2\n' +
        'diff --git a/sub/new.txt b/sub/new.txt\nnew file mode 100644\nindex 0000000000000000000000000000000000000000..94954abda49de8615a048f8d2e64b5de848e27a1\n--- /dev/null\n+++ b/sub/new.txt\n@@ -0,0 +1,2 @@\n+hello\n+world\n' +
        'diff --git a/upd.txt b/upd.txt\nindex c9e9e05f445e6b772f19fea1449759b7458a446e..e1c485ebd74c100e3f1d1dc3b0b60e1dbdf049de\n--- a/upd.txt\n+++ b/upd.txt\n@@ -1,10 +1,10 @@\n one\n two\n-three\n+THREE\n four\n five\n six\n seven\n eight\n-nine\n+NINE\n ten\n',
    );
  });

  test('two patches in one turn: baselines kept from the first, a file added then deleted drops out', async () => {
    const cwd = workspace();
    const diffs = new TurnDiffs();
    const first = await patch(cwd, '*** Begin Patch\n*** Add File: in.txt\n+inside\n*** Update File: upd.txt\n@@\n-one\n+ONE\n*** End Patch\n');
    expect(diffs.tracker('turn-1', cwd).diffAfter(first)).toBe(
      'diff --git a/in.txt b/in.txt\nnew file mode 100644\nindex 0000000000000000000000000000000000000000..5be24b7e8f4ff445fb089b101bb4f0f4909d84d5\n--- /dev/null\n+++ b/in.txt\n@@ -0,0 +1 @@\n+inside\n' +
        'diff --git a/upd.txt b/upd.txt\nindex c9e9e05f445e6b772f19fea1449759b7458a446e..cf24bdb0f636f624f3a42ba48e52045e74cbb6cc\n--- a/upd.txt\n+++ b/upd.txt\n@@ -1,4 +1,4 @@\n-one\n+ONE\n two\n three\n four\n',
    );
    const second = await patch(cwd, '*** Begin Patch\n*** Update File: upd.txt\n@@\n-ONE\n+UNO\n*** Add File: in2.txt\n+x\n*** Delete File: in.txt\n*** End Patch\n');
    const expected =
      'diff --git a/in2.txt b/in2.txt\nnew file mode 100644\nindex 0000000000000000000000000000000000000000..587be6b4c3f93f93c489c0111bba5596147a26cb\n--- /dev/null\n+++ b/in2.txt\n@@ -0,0 +1 @@\n+x\n' +
      'diff --git a/upd.txt b/upd.txt\nindex c9e9e05f445e6b772f19fea1449759b7458a446e..f4d9f67098ac57bb8666b5726dd0b1e8bff9cbda\n--- a/upd.txt\n+++ b/upd.txt\n@@ -1,4 +1,4 @@\n-one\n+UNO\n two\n three\n four\n';
    expect(diffs.tracker('turn-1').diffAfter(second)).toBe(expected);
    // What the runner reads after the model's next response, and nothing for another turn or once ended.
    expect(diffs.diffOf('turn-1')).toBe(expected);
    expect(diffs.diffOf('turn-2')).toBeNull();
    diffs.endTurn('turn-1');
    expect(diffs.diffOf('turn-1')).toBeNull();
  });

  test('a change undone nets out to no diff', async () => {
    const cwd = workspace();
    const tracker = new TurnDiffTracker(cwd);
    tracker.track(await patch(cwd, '*** Begin Patch\n*** Update File: del.txt\n@@\n-bye\n+hello\n*** End Patch'));
    expect(tracker.diffAfter(await patch(cwd, '*** Begin Patch\n*** Update File: del.txt\n@@\n-hello\n+bye\n*** End Patch'))).toBeNull();
  });

  test('a move over an existing file: the source deleted, the destination changed from its old text', async () => {
    const cwd = workspace();
    const tracker = new TurnDiffTracker(cwd);
    const diff = tracker.diffAfter(await patch(cwd, '*** Begin Patch\n*** Update File: mv.txt\n*** Move to: upd.txt\n@@\n-moving\n+M\n*** End Patch\n'));
    expect(diff).toBe(
      'diff --git a/mv.txt b/mv.txt\ndeleted file mode 100644\nindex c6fa2ebaa395c556c3b363e6b7f061f8466f9b62..0000000000000000000000000000000000000000\n--- a/mv.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-moving\n-line2\n' +
        'diff --git a/upd.txt b/upd.txt\nindex c9e9e05f445e6b772f19fea1449759b7458a446e..762b829531fa3135a733dd99e3bd6a215421069a\n--- a/upd.txt\n+++ b/upd.txt\n@@ -1,10 +1,2 @@\n-one\n-two\n-three\n-four\n-five\n-six\n-seven\n-eight\n-nine\n-ten\n+M\n+line2\n',
    );
  });

  test('a path outside the display root is shown absolute; a file without a final newline is marked', async () => {
    const cwd = workspace();
    const outside = path.join(path.dirname(cwd), 'outside-written.txt');
    const tracker = new TurnDiffTracker(cwd);
    expect(tracker.diffAfter(await patch(cwd, `*** Begin Patch\n*** Add File: ${outside}\n+x\n*** End Patch`))).toBe(
      `diff --git a/${outside} b/${outside}\nnew file mode 100644\nindex 0000000000000000000000000000000000000000..587be6b4c3f93f93c489c0111bba5596147a26cb\n--- /dev/null\n+++ b/${outside}\n@@ -0,0 +1 @@\n+x\n`,
    );
    writeFileSync(path.join(cwd, 'nonl.txt'), 'a\nb');
    const other = new TurnDiffTracker(cwd);
    expect(other.diffAfter(await patch(cwd, '*** Begin Patch\n*** Update File: nonl.txt\n@@\n-a\n+A\n*** End Patch'))).toBe(
      `diff --git a/nonl.txt b/nonl.txt\nindex ${gitBlobOid('a\nb')}..${gitBlobOid('A\nb\n')}\n--- a/nonl.txt\n+++ b/nonl.txt\n@@ -1,2 +1,2 @@\n-a\n-b\n\\ No newline at end of file\n+A\n+b\n`,
    );
  });
});

describe('display root', () => {
  test('the nearest directory holding a .git (directory or file), else the cwd', async () => {
    const exists = (found: string[]) => async (p: string) => found.includes(p);
    expect(await diffDisplayRoot('/r/w', exists([]))).toBe('/r/w');
    expect(await diffDisplayRoot('/r/w', exists(['/r/.git']))).toBe('/r');
    expect(await diffDisplayRoot('/r/w/', exists(['/r/w/.git', '/r/.git']))).toBe('/r/w');
    expect(await diffDisplayRoot('/r/w', exists(['/.git']))).toBe('/');
  });

  test('a patch in a repository subdirectory is shown from the repository root (`a/work/in.txt`)', async () => {
    const cwd = workspace();
    mkdirSync(path.join(path.dirname(cwd), '.git'));
    expect(await diffDisplayRoot(cwd)).toBe(path.dirname(cwd));
    const tracker = new TurnDiffTracker(await diffDisplayRoot(cwd));
    expect(tracker.diffAfter(await patch(cwd, '*** Begin Patch\n*** Add File: in.txt\n+inside\n*** End Patch'))).toMatch(/^diff --git a\/work\/in\.txt b\/work\/in\.txt\n/);
  });
});
