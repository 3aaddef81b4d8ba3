/**
 * Turning the model's patch text into the changes it would make (reference: `maybe_parse_apply_patch_verified`),
 * before anything is asked or written: paths resolved against the cwd, deleted files read, updates computed.
 * A patch that fails here is reported to the model as `apply_patch verification failed: <reason>` and no item is
 * shown to the client.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeUtf8, ioErrorText } from './io-error.js';
import { parsePatch, PatchParseError, type Hunk } from './parser.js';
import { unifiedDiff } from './unified-diff.js';
import { applyChunks, ChunkMismatchError } from './update.js';

/** One file the patch touches, in patch order. Paths are absolute and normalised. */
export type FileChange =
  | {
      kind: 'add';
      path: string;
      content: string;
      /** The text of a file the add overwrites (the reference's add replaces an existing file), or null. */
      previous: string | null;
    }
  | { kind: 'delete'; path: string; content: string }
  | {
      kind: 'update';
      path: string;
      movePath: string | null;
      /** The per-file diff shown in the `fileChange` item (context 1, no header). */
      unifiedDiff: string;
      oldContent: string;
      newContent: string;
      /** The text of an existing file at `movePath` that the move replaces, or null. */
      overwrittenMoveContent: string | null;
    };

/** A verified patch: what the handler shows, asks about and applies. */
export interface PatchAction {
  cwd: string;
  hunks: Hunk[];
  /** One entry per hunk, in patch order (a path may appear twice). */
  changes: FileChange[];
}

export type VerifyResult = { ok: true; action: PatchAction } | { ok: false; message: string };

/** Resolves a patch path against `cwd` (absolute paths stay), normalising `.` and `..`. */
export function resolvePatchPath(cwd: string, p: string): string {
  return path.resolve(cwd, p);
}

/** Reads a file as the reference's `read_to_string` does (UTF-8 or an error). */
export async function readText(file: string): Promise<string> {
  return decodeUtf8(await readFile(file));
}

/** Parses and checks `text` against the files under `cwd`. Never throws. */
export async function verifyPatch(text: string, cwd: string): Promise<VerifyResult> {
  let hunks: Hunk[];
  try {
    hunks = parsePatch(text).hunks;
  } catch (error) {
    if (error instanceof PatchParseError) return { ok: false, message: error.message };
    throw error;
  }
  // Reference behaviour (0.169): two hunks on one (normalised) source path make the patch invalid.
  const seen = new Set<string>();
  for (const hunk of hunks) {
    const file = resolvePatchPath(cwd, hunk.path);
    if (seen.has(file)) return { ok: false, message: `invalid patch: multiple operations target ${file}` };
    seen.add(file);
  }
  const changes: FileChange[] = [];
  for (const hunk of hunks) {
    const file = resolvePatchPath(cwd, hunk.path);
    if (hunk.type === 'add') {
      changes.push({ kind: 'add', path: file, content: hunk.contents, previous: await readIfFile(file) });
    } else if (hunk.type === 'delete') {
      try {
        changes.push({ kind: 'delete', path: file, content: await readText(file) });
      } catch (error) {
        return { ok: false, message: `Failed to read ${file}: ${ioErrorText(error)}` };
      }
    } else {
      let oldContent: string;
      try {
        oldContent = await readText(file);
      } catch (error) {
        return { ok: false, message: `Failed to read file to update ${file}: ${ioErrorText(error)}` };
      }
      let newContent: string;
      try {
        newContent = applyChunks(oldContent, hunk.chunks, file);
      } catch (error) {
        if (error instanceof ChunkMismatchError) return { ok: false, message: error.message };
        throw error;
      }
      const movePath = hunk.movePath === null ? null : resolvePatchPath(cwd, hunk.movePath);
      changes.push({
        kind: 'update',
        path: file,
        movePath,
        unifiedDiff: unifiedDiff(oldContent, newContent, 1),
        oldContent,
        newContent,
        overwrittenMoveContent: movePath === null ? null : await readIfFile(movePath),
      });
    }
  }
  return { ok: true, action: { cwd, hunks, changes } };
}

async function readIfFile(file: string): Promise<string | null> {
  try {
    return await readText(file);
  } catch {
    return null;
  }
}

/** Every path the patch writes (sources, move destinations), for the sandbox check. */
export function writtenPaths(action: PatchAction): string[] {
  return action.changes.flatMap((c) => (c.kind === 'update' && c.movePath !== null ? [c.path, c.movePath] : [c.path]));
}
