/**
 * Writing a verified patch to disk (reference: `apply_hunks_to_files`): hunks in patch order, each update re-read
 * and re-computed from the file as the earlier hunks left it, parent directories created, moves written then the
 * source removed. The first failure stops the patch, leaving earlier hunks applied, as in the reference.
 *
 * Each file is replaced by a rename of a finished temporary file in the same directory, so a crash never leaves a
 * half-written file; the replaced file's permission bits are kept, and a symlink is written through (unlike the
 * reference's in-place write, a hard link to the file is not updated).
 */
import { chmod, lstat, mkdir, mkdtemp, readlink, realpath, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ioErrorText } from './io-error.js';
import type { Hunk } from './parser.js';
import { applyChunks, ChunkMismatchError } from './update.js';
import { readText, resolvePatchPath } from './verify.js';

/** What the reference's apply_patch process reported: exit code 0 with the summary on stdout, or 1 and stderr. */
export interface ApplyOutcome {
  exitCode: 0 | 1;
  stdout: string;
  stderr: string;
}

export interface ApplyOptions {
  /**
   * Whether a file may be written (absolute path, symlinks of its directory resolved). A denied write fails like
   * the reference's sandboxed process does (`Read-only file system`). Default: everything.
   */
  mayWrite?: (target: string) => boolean;
}

class ApplyError extends Error {}

const readOnly = (): NodeJS.ErrnoException => Object.assign(new Error('EROFS'), { code: 'EROFS', errno: -30 });

/** Applies `hunks` under `cwd`. Never throws: failures are the outcome's `stderr`, as the reference prints them. */
export async function applyHunks(hunks: readonly Hunk[], cwd: string, options: ApplyOptions = {}): Promise<ApplyOutcome> {
  if (hunks.length === 0) return { exitCode: 1, stdout: '', stderr: 'No files were modified.\n' };
  const added: string[] = [];
  const modified: string[] = [];
  const deleted: string[] = [];
  const guard = options.mayWrite ?? (() => true);
  try {
    for (const hunk of hunks) {
      const file = resolvePatchPath(cwd, hunk.path);
      if (hunk.type === 'add') {
        await ensureParent(file, guard);
        await step(`Failed to write file ${file}`, () => replaceFile(file, hunk.contents, guard));
        added.push(hunk.path);
      } else if (hunk.type === 'delete') {
        await step(`Failed to delete file ${file}`, () => removeFile(file, guard));
        deleted.push(hunk.path);
      } else {
        const next = await updatedText(file, hunk);
        if (hunk.movePath !== null) {
          const dest = resolvePatchPath(cwd, hunk.movePath);
          await ensureParent(dest, guard);
          await step(`Failed to write file ${dest}`, () => replaceFile(dest, next, guard));
          await step(`Failed to remove original ${file}`, () => removeFile(file, guard));
          modified.push(hunk.movePath);
        } else {
          await step(`Failed to write file ${file}`, () => replaceFile(file, next, guard));
          modified.push(hunk.path);
        }
      }
    }
  } catch (error) {
    if (error instanceof ApplyError) return { exitCode: 1, stdout: '', stderr: `${error.message}\n` };
    throw error;
  }
  const summary = ['Success. Updated the following files:', ...added.map((p) => `A ${p}`), ...modified.map((p) => `M ${p}`), ...deleted.map((p) => `D ${p}`)];
  return { exitCode: 0, stdout: `${summary.join('\n')}\n`, stderr: '' };
}

/** Reference behaviour: a failed step reports only its context (anyhow's Display), not the OS error. */
async function step(context: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch {
    throw new ApplyError(context);
  }
}

async function updatedText(file: string, hunk: Extract<Hunk, { type: 'update' }>): Promise<string> {
  let original: string;
  try {
    original = await readText(file);
  } catch (error) {
    throw new ApplyError(`Failed to read file to update ${file}: ${ioErrorText(error)}`);
  }
  try {
    return applyChunks(original, hunk.chunks, file);
  } catch (error) {
    if (error instanceof ChunkMismatchError) throw new ApplyError(error.message);
    throw error;
  }
}

async function ensureParent(file: string, guard: (target: string) => boolean): Promise<void> {
  const parent = path.dirname(file);
  // Reference behaviour (0.169): a parent that cannot be created is reported as the write that needed it.
  await step(`Failed to write file ${file}`, async () => {
    if (await isDirectory(parent)) return;
    if (!guard(parent)) throw readOnly();
    await mkdir(parent, { recursive: true });
  });
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** `target` with its directory's symlinks resolved (the file itself may not exist yet). */
async function realTarget(target: string): Promise<string> {
  try {
    return path.join(await realpath(path.dirname(target)), path.basename(target));
  } catch {
    return target;
  }
}

/**
 * The file a write of `file` lands in: like the reference's plain write, a symlink (even a dangling one) is
 * followed, so the link stays and its target gets the text.
 */
async function writeTarget(file: string): Promise<string> {
  let target = file;
  for (let hops = 0; hops < 40; hops++) {
    const info = await lstat(target).catch(() => null);
    if (!info?.isSymbolicLink()) break;
    target = path.resolve(path.dirname(target), await readlink(target));
  }
  return realTarget(target);
}

async function replaceFile(file: string, content: string, guard: (target: string) => boolean): Promise<void> {
  const target = await writeTarget(file);
  if (!guard(target)) throw readOnly();
  const existing = await stat(target).catch(() => null);
  if (existing?.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
  const dir = await mkdtemp(path.join(path.dirname(target), '.apply_patch-'));
  try {
    const temp = path.join(dir, path.basename(target));
    await writeFile(temp, content);
    if (existing) await chmod(temp, existing.mode & 0o7777);
    await rename(temp, target);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function removeFile(file: string, guard: (target: string) => boolean): Promise<void> {
  if (!guard(await realTarget(file))) throw readOnly();
  await unlink(file);
}
