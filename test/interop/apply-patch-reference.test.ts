/**
 * Our apply_patch parser and applier against the reference's own: the 0.169.0 binary runs its standalone
 * apply_patch when invoked under that name (arg0 dispatch), so each case runs both on identical temp dirs and
 * compares exit code, stdout, stderr and the resulting files (skipped when the reference is absent).
 * The reference's standalone prints parse errors as `Invalid patch: …` / `Invalid patch hunk on line N: …`; the
 * app-server shows the same errors as `invalid patch: …` / `invalid hunk at line N, …` (see the unit tests).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyHunks, type ApplyOutcome } from '../../src/tools/apply-patch/apply.js';
import { parsePatch, PatchParseError } from '../../src/tools/apply-patch/parser.js';
import { unavailable } from '../support/unprivileged.js';
import { ensureReference } from './servers.js';

type Files = Record<string, string | Buffer>;

/** [name, files before, patch]; `ROOT` in a patch stands for the case's directory. */
const CASES: Array<[string, Files, string]> = [
  ['add', {}, '*** Begin Patch\n*** Add File: bar.md\n+This is a new file\n*** End Patch'],
  ['several operations', { 'delete.txt': 'x\n', 'modify.txt': 'line1\nline2\n' }, '*** Begin Patch\n*** Add File: nested/new.txt\n+created\n*** Delete File: delete.txt\n*** Update File: modify.txt\n@@\n-line2\n+changed\n*** End Patch'],
  ['several chunks', { 'multi.txt': 'line1\nline2\nline3\nline4\n' }, '*** Begin Patch\n*** Update File: multi.txt\n@@\n-line2\n+changed2\n@@\n-line4\n+changed4\n*** End Patch'],
  ['move to a new directory', { 'old/name.txt': 'old content\n', 'old/other.txt': 'unrelated\n' }, '*** Begin Patch\n*** Update File: old/name.txt\n*** Move to: renamed/dir/name.txt\n@@\n-old content\n+new content\n*** End Patch'],
  ['move over an existing file', { 'old/name.txt': 'from\n', 'renamed/dir/name.txt': 'existing\n' }, '*** Begin Patch\n*** Update File: old/name.txt\n*** Move to: renamed/dir/name.txt\n@@\n-from\n+new\n*** End Patch'],
  ['move onto itself', { 'm.txt': 'a\n' }, '*** Begin Patch\n*** Update File: m.txt\n*** Move to: m.txt\n@@\n-a\n+b\n*** End Patch'],
  ['empty patch', { 'foo.txt': 'x\n' }, '*** Begin Patch\n*** End Patch'],
  ['missing context', { 'modify.txt': 'line1\nline2\n' }, '*** Begin Patch\n*** Update File: modify.txt\n@@\n-missing\n+changed\n*** End Patch'],
  ['missing @@ context line', { 'p.txt': 'a\n' }, '*** Begin Patch\n*** Update File: p.txt\n@@ nothere\n-a\n+b\n*** End Patch'],
  ['delete a missing file', {}, '*** Begin Patch\n*** Delete File: missing.txt\n*** End Patch'],
  ['delete a directory', { 'dir/foo.txt': 'x\n' }, '*** Begin Patch\n*** Delete File: dir\n*** End Patch'],
  ['delete a non-UTF-8 file', { 'b.bin': Buffer.from([0x61, 0xff, 0x0a]) }, '*** Begin Patch\n*** Delete File: b.bin\n*** End Patch'],
  ['update a non-UTF-8 file', { 'b.bin': Buffer.from([0x61, 0xff, 0x0a]) }, '*** Begin Patch\n*** Update File: b.bin\n@@\n-a\n+b\n*** End Patch'],
  ['update a missing file', {}, '*** Begin Patch\n*** Update File: missing.txt\n@@\n-old\n+new\n*** End Patch'],
  ['empty update hunk', { 'foo.txt': 'x\n' }, '*** Begin Patch\n*** Update File: foo.txt\n*** End Patch'],
  ['add over an existing file', { 'duplicate.txt': 'old content\n' }, '*** Begin Patch\n*** Add File: duplicate.txt\n+new content\n*** End Patch'],
  ['add over a directory', { 'd/x': '1\n' }, '*** Begin Patch\n*** Add File: d\n+x\n*** End Patch'],
  ['add under a file', { 'f': '1\n' }, '*** Begin Patch\n*** Add File: ok.txt\n+ok\n*** Add File: f/x\n+x\n*** End Patch'],
  ['add an empty file', {}, '*** Begin Patch\n*** Add File: e.txt\n*** End Patch'],
  ['add by absolute path', {}, '*** Begin Patch\n*** Add File: ROOT/abs/x.txt\n+x\n*** End Patch'],
  ['invalid hunk header', {}, '*** Begin Patch\n*** Frobnicate File: foo\n*** End Patch'],
  ['missing end marker', {}, '*** Begin Patch\n*** Add File: foo\n+x'],
  ['unexpected line', { 'a': 'x\n' }, '*** Begin Patch\n*** Update File: a\n@@\n-x\n+y\n@@\nbogus\n*** End Patch'],
  ['later chunk without @@', { 'a': 'x\n' }, '*** Begin Patch\n*** Update File: a\n@@\n-x\n+y\nbogus\n*** End Patch'],
  ['a trailing newline is added', { 'no_newline.txt': 'no newline at end' }, '*** Begin Patch\n*** Update File: no_newline.txt\n@@\n-no newline at end\n+first line\n+second line\n*** End Patch'],
  ['failure after partial success', {}, '*** Begin Patch\n*** Add File: created.txt\n+hello\n*** Update File: missing.txt\n@@\n-old\n+new\n*** End Patch'],
  ['pure addition', { 'input.txt': 'line1\nline2\n' }, '*** Begin Patch\n*** Update File: input.txt\n@@\n+added line 1\n+added line 2\n*** End Patch'],
  ['pure addition after a blank last line', { 'i.txt': 'a\n\n' }, '*** Begin Patch\n*** Update File: i.txt\n@@\n+z\n*** End Patch'],
  ['pure addition to an empty file', { 'e.txt': '' }, '*** Begin Patch\n*** Update File: e.txt\n@@\n+z\n*** End Patch'],
  ['padded hunk header', { 'foo.txt': 'old\n' }, '*** Begin Patch\n  *** Update File: foo.txt  \n@@\n-old\n+new\n*** End Patch'],
  ['padded markers', { 'file.txt': 'one\n' }, ' *** Begin Patch \n*** Update File: file.txt\n@@\n-one\n+two\n  *** End Patch '],
  ['heredoc wrapper', {}, "<<'EOF'\n*** Begin Patch\n*** Add File: h.txt\n+x\n*** End Patch\nEOF"],
  ['typographic punctuation', { 'foo.txt': 'naïve café\nsecond—line “quoted”\n' }, '*** Begin Patch\n*** Update File: foo.txt\n@@\n-second-line "quoted"\n+replaced\n*** End Patch'],
  ['non-breaking space', { 't.txt': 'a\u00a0b\n' }, '*** Begin Patch\n*** Update File: t.txt\n@@\n-a b\n+c\n*** End Patch'],
  ['trailing whitespace', { 't.txt': 'a   \nb\t\n' }, '*** Begin Patch\n*** Update File: t.txt\n@@\n-a\n-b\n+c\n*** End Patch'],
  ['deletion only', { 'lines.txt': 'line1\nline2\nline3\n' }, '*** Begin Patch\n*** Update File: lines.txt\n@@\n line1\n-line2\n line3\n*** End Patch'],
  ['end of file marker', { 'tail.txt': 'first\nsecond\nlast\nmid\nlast\n' }, '*** Begin Patch\n*** Update File: tail.txt\n@@\n-last\n+end\n*** End of File\n*** End Patch'],
  ['end of file marker, no match at the end', { 't.txt': 'x\ny\nz\n' }, '*** Begin Patch\n*** Update File: t.txt\n@@\n-x\n+X\n*** End of File\n*** End Patch'],
  ['CRLF file', { 'c.txt': 'a\r\nb\r\nc\r\n' }, '*** Begin Patch\n*** Update File: c.txt\n@@\n a\n-b\n+B\n+B2\n*** End Patch'],
  ['mixed line endings', { 'c.txt': 'a\nb\r\nc' }, '*** Begin Patch\n*** Update File: c.txt\n@@\n-a\n+A\n*** End Patch'],
  ['@@ context header', { 'p.py': 'class A:\n    def f():\n        pass\nclass B:\n    def f():\n        pass\n' }, '*** Begin Patch\n*** Update File: p.py\n@@ class B:\n     def f():\n-        pass\n+        return 1\n*** End Patch'],
  ['blank context line', { 't.txt': 'a\n\nb\n' }, '*** Begin Patch\n*** Update File: t.txt\n@@\n a\n\n-b\n+c\n*** End Patch'],
  ['trailing empty old line', { 't.txt': 'a\nb\n' }, '*** Begin Patch\n*** Update File: t.txt\n@@\n a\n-b\n-\n+c\n+\n*** End Patch'],
  ['chunks out of order', { 't.txt': 'a\nb\nc\nd\n' }, '*** Begin Patch\n*** Update File: t.txt\n@@\n-c\n+C\n@@\n-b\n+B\n*** End Patch'],
  ['byte order mark', { 't.txt': '\ufeffa\nb\n' }, '*** Begin Patch\n*** Update File: t.txt\n@@\n-a\n+A\n*** End Patch'],
];

let reference: string | null = null;
let skipReason: string | null = 'not resolved yet';
const dirs: string[] = [];

beforeAll(async () => {
  const found = await ensureReference();
  skipReason = found.reason || null;
  if (found.bin) {
    // Reference behaviour: the codex binary runs its standalone apply_patch when its file name is `apply_patch`.
    const binDir = mkdtempSync(path.join(tmpdir(), 'cas-refbin-'));
    dirs.push(binDir);
    reference = path.join(binDir, 'apply_patch');
    symlinkSync(found.bin, reference);
  }
});
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(files: Files): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cas-apply-ref-'));
  dirs.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

function tree(root: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(path.join(root, rel)).sort()) {
    const p = path.join(rel, entry);
    if (statSync(path.join(root, p)).isDirectory()) Object.assign(out, tree(root, p));
    else out[p] = readFileSync(path.join(root, p)).toString('base64');
  }
  return out;
}

/** Our parse + apply, with parse errors printed as the standalone prints them. */
async function ours(patch: string, cwd: string): Promise<ApplyOutcome> {
  try {
    return await applyHunks(parsePatch(patch).hunks, cwd);
  } catch (error) {
    if (!(error instanceof PatchParseError)) throw error;
    const line = error.kind === 'invalid-patch' ? `Invalid patch: ${error.detail}` : `Invalid patch hunk on line ${error.lineNumber}: ${error.detail}`;
    return { exitCode: 1, stdout: '', stderr: `${line}\n` };
  }
}

describe('apply_patch against the reference standalone', () => {
  test.for(CASES)('%s', async ([, files, patch], ctx) => {
    if (!reference) return unavailable(ctx, skipReason ?? 'reference binary not found');
    const refDir = setup(files);
    const ourDir = setup(files);
    const ran = spawnSync(reference, [patch.replaceAll('ROOT', refDir)], { cwd: refDir, encoding: 'utf8', timeout: 30_000 });
    const theirs = { exitCode: ran.status, stdout: ran.stdout.replaceAll(refDir, 'ROOT'), stderr: ran.stderr.replaceAll(refDir, 'ROOT') };
    const mine = await ours(patch.replaceAll('ROOT', ourDir), ourDir);
    expect({ ...mine, stdout: mine.stdout.replaceAll(ourDir, 'ROOT'), stderr: mine.stderr.replaceAll(ourDir, 'ROOT') }).toEqual(theirs);
    expect(tree(ourDir)).toEqual(tree(refDir));
  });
});
