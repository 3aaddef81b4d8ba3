/**
 * Is bubblewrap installed? The server asks once at startup (main injects the probe's filesystem view) and, when it
 * is missing, sends a `configWarning` and runs no sandboxed command unconfined without the client's approval.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The reference 0.169's `configWarning` summary when `bwrap` is not on PATH, first two sentences verbatim. Its last
 * sentence ("Codex will use the bundled bubblewrap in the meantime.") is replaced: we bundle no bubblewrap, and fail
 * closed instead.
 */
export const BWRAP_MISSING_WARNING_SUMMARY =
  'Codex could not find bubblewrap on PATH. Install bubblewrap with your OS package manager. See the sandbox prerequisites: ' +
  'https://developers.openai.com/codex/concepts/sandboxing#prerequisites. Until then, sandboxed commands run only with your approval.';

/** The reference's summary verbatim, for comparison (its last sentence is not true of this server). */
export const BWRAP_MISSING_REFERENCE_SUMMARY =
  'Codex could not find bubblewrap on PATH. Install bubblewrap with your OS package manager. See the sandbox prerequisites: ' +
  'https://developers.openai.com/codex/concepts/sandboxing#prerequisites. Codex will use the bundled bubblewrap in the meantime.';

/** The `configWarning` params for a missing bubblewrap (`details: null`, as the reference sends). */
export function bwrapMissingWarning(): { summary: string; details: null } {
  return { summary: BWRAP_MISSING_WARNING_SUMMARY, details: null };
}

/** The first `bwrap` on `pathEnv` (the PATH value) that `isExecutable` accepts, or null. */
export function findBwrap(pathEnv: string | undefined, isExecutable: (file: string) => boolean): string | null {
  for (const dir of (pathEnv ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'bwrap');
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/** The real filesystem's answer for `findBwrap`: a regular file this process may execute. */
export function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
