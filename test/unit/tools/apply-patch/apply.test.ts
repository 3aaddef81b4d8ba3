/**
 * Verification and application on real files in a temp dir: the reference's texts for patches that do not apply,
 * what is written (line endings, modes, moves), partial failure, and the sandbox guard (outside roots, `.git`,
 * a symlink out of the workspace).
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { applyHunks } from '../../../../src/tools/apply-patch/apply.js';
import { parsePatch } from '../../../../src/tools/apply-patch/parser.js';
import { assessPatchSafety, EMPTY_PATCH, OUTSIDE_PROJECT, READ_ONLY_SANDBOX } from '../../../../src/tools/apply-patch/safety.js';
import { verifyPatch, type PatchAction } from '../../../../src/tools/apply-patch/verify.js';
import { mayWrite, writableRootsOf } from '../../../../src/tools/sandbox/policy.js';
import { tempHomeForTest } from '../../../support/temp-home.js';
import { sandboxOf } from './fake-context.js';

const wrap = (body: string): string => `*** Begin Patch\n${body}\n*** End Patch`;

function workspace(files: Record<string, string | Buffer> = {}): string {
  const root = tempHomeForTest('cas-apply-');
  const cwd = path.join(root, 'work');
  mkdirSync(cwd);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(cwd, file)), { recursive: true });
    writeFileSync(path.join(cwd, file), text);
  }
  return cwd;
}

const read = (cwd: string, file: string): string => readFileSync(path.join(cwd, file), 'utf8');

async function failure(text: string, cwd: string): Promise<string> {
  const result = await verifyPatch(text, cwd);
  if (result.ok) throw new Error('expected a verification failure');
  return result.message;
}

async function verified(text: string, cwd: string): Promise<PatchAction> {
  const result = await verifyPatch(text, cwd);
  if (!result.ok) throw new Error(result.message);
  return result.action;
}

describe('verification: what the model reads after `apply_patch verification failed: `', () => {
  test('context and lines that are not in the file', async () => {
    const cwd = workspace({ 'upd.txt': 'one\ntwo\n' });
    expect(await failure(wrap('*** Update File: upd.txt\n@@\n-not there\n+x'), cwd)).toBe(`Failed to find expected lines in ${cwd}/upd.txt:\nnot there`);
    expect(await failure(wrap('*** Update File: upd.txt\n@@ nosuchctx\n-one\n+ONE'), cwd)).toBe(`Failed to find context 'nosuchctx' in ${cwd}/upd.txt`);
  });

  test('missing files, directories and non-UTF-8 files', async () => {
    const cwd = workspace({ 'bin.txt': Buffer.from([0x61, 0xff, 0x0a]), 'dir/x': 'x\n', 'cut.txt': Buffer.from([0x61, 0xe2, 0x82]) });
    expect(await failure(wrap('*** Delete File: nosuch.txt'), cwd)).toBe(`Failed to read ${cwd}/nosuch.txt: No such file or directory (os error 2)`);
    expect(await failure(wrap('*** Update File: nosuch.txt\n@@\n-a\n+b'), cwd)).toBe(`Failed to read file to update ${cwd}/nosuch.txt: No such file or directory (os error 2)`);
    expect(await failure(wrap('*** Delete File: dir'), cwd)).toBe(`Failed to read ${cwd}/dir: Is a directory (os error 21)`);
    expect(await failure(wrap('*** Update File: bin.txt\n@@\n-a\n+b'), cwd)).toBe(`Failed to read file to update ${cwd}/bin.txt: invalid utf-8 sequence of 1 bytes from index 1`);
    expect(await failure(wrap('*** Delete File: bin.txt'), cwd)).toBe(`Failed to read ${cwd}/bin.txt: invalid utf-8 sequence of 1 bytes from index 1`);
    expect(await failure(wrap('*** Delete File: cut.txt'), cwd)).toBe(`Failed to read ${cwd}/cut.txt: incomplete utf-8 byte sequence from index 1`);
  });

  test('two hunks on one (normalised) path', async () => {
    const cwd = workspace({ 'del.txt': 'bye\n' });
    expect(await failure(wrap('*** Delete File: del.txt\n*** Add File: ./del.txt\n+new'), cwd)).toBe(`invalid patch: multiple operations target ${cwd}/del.txt`);
  });

  test('parse errors keep the parser text', async () => {
    expect(await failure('bad', workspace())).toBe("invalid patch: The first line of the patch must be '*** Begin Patch'");
  });

  test('changes in patch order, resolved paths, per-file diffs with one line of context', async () => {
    const cwd = workspace({ 'upd.txt': 'one\ntwo\nthree\n', 'mv.txt': 'a\n', 'del.txt': 'bye\n', 'dest.txt': 'old dest\n' });
    const action = await verified(wrap('*** Add File: sub/../new.txt\n+hi\n*** Delete File: del.txt\n*** Update File: upd.txt\n@@\n-two\n+TWO\n*** Update File: mv.txt\n*** Move to: dest.txt\n@@\n-a\n+b'), cwd);
    expect(action.changes).toEqual([
      { kind: 'add', path: `${cwd}/new.txt`, content: 'hi\n', previous: null },
      { kind: 'delete', path: `${cwd}/del.txt`, content: 'bye\n' },
      { kind: 'update', path: `${cwd}/upd.txt`, movePath: null, unifiedDiff: '@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n', oldContent: 'one\ntwo\nthree\n', newContent: 'one\nTWO\nthree\n', overwrittenMoveContent: null },
      { kind: 'update', path: `${cwd}/mv.txt`, movePath: `${cwd}/dest.txt`, unifiedDiff: '@@ -1 +1 @@\n-a\n+b\n', oldContent: 'a\n', newContent: 'b\n', overwrittenMoveContent: 'old dest\n' },
    ]);
    // Nothing is written by verification.
    expect(existsSync(path.join(cwd, 'new.txt'))).toBe(false);
    expect(read(cwd, 'upd.txt')).toBe('one\ntwo\nthree\n');
  });
});

describe('application', () => {
  test('add (with parent dirs), update, delete, move: files and the summary', async () => {
    const cwd = workspace({ 'upd.txt': 'one\ntwo\n', 'del.txt': 'bye\n', 'mv.txt': 'moving\n' });
    const patch = wrap('*** Add File: sub/new.txt\n+hello\n*** Update File: upd.txt\n@@\n-two\n+TWO\n*** Delete File: del.txt\n*** Update File: mv.txt\n*** Move to: moved/mv2.txt\n@@\n-moving\n+MOVED');
    const outcome = await applyHunks(parsePatch(patch).hunks, cwd);
    expect(outcome).toEqual({ exitCode: 0, stdout: 'Success. Updated the following files:\nA sub/new.txt\nM upd.txt\nM moved/mv2.txt\nD del.txt\n', stderr: '' });
    expect(read(cwd, 'sub/new.txt')).toBe('hello\n');
    expect(read(cwd, 'upd.txt')).toBe('one\nTWO\n');
    expect(read(cwd, 'moved/mv2.txt')).toBe('MOVED\n');
    expect(existsSync(path.join(cwd, 'del.txt'))).toBe(false);
    expect(existsSync(path.join(cwd, 'mv.txt'))).toBe(false);
    // Temporary files are renamed into place or removed: none is left behind.
    expect(readdirSync(cwd).sort()).toEqual(['moved', 'sub', 'upd.txt']);
  });

  test('line endings: CRLF kept, new lines take the first ending, a last line gains one', async () => {
    const cwd = workspace({ 'crlf.txt': 'a\r\nb\r\nc\r\n', 'nonl.txt': 'x\ny' });
    await applyHunks(parsePatch(wrap('*** Update File: crlf.txt\n@@\n a\n-b\n+B\n+B2\n*** Update File: nonl.txt\n@@\n-x\n+X')).hunks, cwd);
    expect(read(cwd, 'crlf.txt')).toBe('a\r\nB\r\nB2\r\nc\r\n');
    expect(read(cwd, 'nonl.txt')).toBe('X\ny\n');
  });

  test('an updated file keeps its permission bits', async () => {
    const cwd = workspace({ 'run.sh': '#!/bin/sh\necho a\n' });
    chmodSync(path.join(cwd, 'run.sh'), 0o755);
    await applyHunks(parsePatch(wrap('*** Update File: run.sh\n@@\n-echo a\n+echo b')).hunks, cwd);
    expect(statSync(path.join(cwd, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(read(cwd, 'run.sh')).toBe('#!/bin/sh\necho b\n');
  });

  test('a symlink is written through, as the reference does (also a dangling one); a deleted link goes alone', async () => {
    const cwd = workspace({ 'real.txt': 'a\n', 'keep.txt': 'k\n' });
    symlinkSync('real.txt', path.join(cwd, 'link.txt'));
    symlinkSync('nowhere.txt', path.join(cwd, 'dangling.txt'));
    symlinkSync('keep.txt', path.join(cwd, 'gone.txt'));
    const outcome = await applyHunks(parsePatch(wrap('*** Update File: link.txt\n@@\n-a\n+b\n*** Add File: dangling.txt\n+d\n*** Delete File: gone.txt')).hunks, cwd);
    expect(outcome.exitCode).toBe(0);
    expect(lstatSync(path.join(cwd, 'link.txt')).isSymbolicLink()).toBe(true);
    expect(read(cwd, 'real.txt')).toBe('b\n');
    expect(lstatSync(path.join(cwd, 'dangling.txt')).isSymbolicLink()).toBe(true);
    expect(read(cwd, 'nowhere.txt')).toBe('d\n');
    expect(existsSync(path.join(cwd, 'gone.txt'))).toBe(false);
    expect(read(cwd, 'keep.txt')).toBe('k\n');
  });

  test('the first failure stops the patch and earlier hunks stay applied', async () => {
    const cwd = workspace({ 'upd.txt': 'one\n' });
    const outcome = await applyHunks(parsePatch(wrap('*** Add File: ok.txt\n+fine\n*** Add File: upd.txt/x\n+x\n*** Add File: never.txt\n+x')).hunks, cwd);
    expect(outcome).toEqual({ exitCode: 1, stdout: '', stderr: `Failed to write file ${cwd}/upd.txt/x\n` });
    expect(read(cwd, 'ok.txt')).toBe('fine\n');
    expect(existsSync(path.join(cwd, 'never.txt'))).toBe(false);
  });

  test('deleting a directory fails with the reference text', async () => {
    const cwd = workspace({ 'dir/x': 'x\n' });
    expect(await applyHunks(parsePatch(wrap('*** Delete File: dir')).hunks, cwd)).toEqual({ exitCode: 1, stdout: '', stderr: `Failed to delete file ${cwd}/dir\n` });
  });

  test('the sandbox guard refuses a write through a symlink that leaves the workspace', async () => {
    const cwd = workspace();
    const outside = path.join(path.dirname(cwd), 'outside');
    mkdirSync(outside);
    symlinkSync(outside, path.join(cwd, 'link'));
    const roots = writableRootsOf(sandboxOf('workspace-write'), cwd, undefined);
    const outcome = await applyHunks(parsePatch(wrap('*** Add File: link/escape.txt\n+x')).hunks, cwd, { mayWrite: (t) => mayWrite(roots, t) });
    expect(outcome).toEqual({ exitCode: 1, stdout: '', stderr: `Failed to write file ${cwd}/link/escape.txt\n` });
    expect(existsSync(path.join(outside, 'escape.txt'))).toBe(false);
  });
});

describe('sandbox judgement', () => {
  const ws = sandboxOf('workspace-write');

  test('inside the workspace: runs without asking, under never and on-request', async () => {
    const cwd = workspace();
    const action = await verified(wrap('*** Add File: a.txt\n+x'), cwd);
    expect(assessPatchSafety(action, 'never', ws, undefined).type).toBe('auto');
    expect(assessPatchSafety(action, 'on-request', ws, undefined).type).toBe('auto');
  });

  test('outside the roots (.., absolute, .git, .codex): refused under never, asked under on-request', async () => {
    const cwd = workspace();
    for (const target of ['../escape.txt', path.join(path.dirname(cwd), 'abs.txt'), '.git/hooks/x', '.codex/config.toml']) {
      const action = await verified(wrap(`*** Add File: ${target}\n+x`), cwd);
      expect(assessPatchSafety(action, 'never', ws, undefined)).toEqual({ type: 'reject', reason: OUTSIDE_PROJECT });
      expect(assessPatchSafety(action, 'on-request', ws, undefined)).toEqual({ type: 'ask' });
    }
  });

  test('a move out of the workspace is judged by its destination', async () => {
    const cwd = workspace({ 'stay.txt': 'from\n' });
    const action = await verified(wrap('*** Update File: stay.txt\n*** Move to: ../escape-move.txt\n@@\n-from\n+to'), cwd);
    expect(assessPatchSafety(action, 'never', ws, undefined)).toEqual({ type: 'reject', reason: OUTSIDE_PROJECT });
  });

  test('read-only: refused under never with its own text, asked under on-request; full access writes anywhere', async () => {
    const cwd = workspace();
    const action = await verified(wrap('*** Add File: a.txt\n+x'), cwd);
    expect(assessPatchSafety(action, 'never', sandboxOf('read-only'), undefined)).toEqual({ type: 'reject', reason: READ_ONLY_SANDBOX });
    expect(assessPatchSafety(action, 'on-request', sandboxOf('read-only'), undefined)).toEqual({ type: 'ask' });
    const outside = await verified(wrap('*** Add File: /elsewhere/a.txt\n+x'), cwd);
    expect(assessPatchSafety(outside, 'never', sandboxOf('danger-full-access'), undefined)).toEqual({ type: 'auto', roots: null });
  });

  test('on-failure asks like on-request; granular asks only with sandbox_approval; an empty patch is refused', async () => {
    const cwd = workspace();
    const outside = await verified(wrap('*** Add File: ../x.txt\n+x'), cwd);
    expect(assessPatchSafety(outside, 'on-failure', ws, undefined)).toEqual({ type: 'ask' });
    expect(assessPatchSafety(await verified(wrap('*** Add File: in.txt\n+x'), cwd), 'on-failure', ws, undefined).type).toBe('auto');
    const granular = (sandbox_approval: boolean) => ({ granular: { sandbox_approval, rules: true, skill_approval: true, request_permissions: true, mcp_elicitations: true } });
    expect(assessPatchSafety(outside, granular(true), ws, undefined)).toEqual({ type: 'ask' });
    expect(assessPatchSafety(outside, granular(false), ws, undefined)).toEqual({ type: 'reject', reason: OUTSIDE_PROJECT });
    expect(assessPatchSafety(await verified('*** Begin Patch\n*** End Patch', cwd), 'on-request', ws, undefined)).toEqual({ type: 'reject', reason: EMPTY_PATCH });
  });
});
