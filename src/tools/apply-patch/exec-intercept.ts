/**
 * A patch sent through `exec_command` (issue 14). Models often run `apply_patch <<'EOF' … EOF` as a shell command;
 * 0.169 does not run that command: it applies the heredoc as a patch through the apply_patch flow (same `fileChange`
 * item, approval, rollout line and turn diff), and a command that is a bare patch is refused. Checked against the
 * reference:
 *
 * - `apply_patch <<'EOF'\n…\nEOF` (also `applypatch`, any delimiter, quoted or not) and `cd <dir> && apply_patch
 *   <<…` (the patch relative to `<dir>`) are patches; nothing may come before or after that one statement;
 * - a command that parses as a patch by itself is answered `apply_patch verification failed: patch detected without
 *   explicit call to apply_patch. Rerun as ["apply_patch", "<patch>"]`;
 * - a patch that applied is answered `Wall time: 0.0000 seconds\nOutput:\n` + the apply_patch output; every other
 *   outcome (verification failure, refusal, decline, a failed write) with the apply_patch text alone.
 *
 * The reference recognises the statement with a bash grammar (tree-sitter); this reads the same two shapes by hand.
 */
import type { ToolContext } from '../tool.js';
import type { ApplyPatchHandler } from './handler.js';
import { parsePatch } from './parser.js';
import { resolvePatchPath } from './verify.js';

export type ExecPatch = { kind: 'patch'; patch: string; workdir: string | null } | { kind: 'bare-patch' };

const IMPLICIT_INVOCATION =
  'apply_patch verification failed: patch detected without explicit call to apply_patch. Rerun as ["apply_patch", "<patch>"]';

/** The output prefix of a patch applied through `exec_command`. */
export const EXEC_PATCH_PREFIX = 'Wall time: 0.0000 seconds\nOutput:\n';

function parses(text: string): boolean {
  try {
    parsePatch(text);
    return true;
  } catch {
    return false;
  }
}

/** `cd` followed by one plain word, 'single-quoted' or "double-quoted" argument, then `&&`. */
const CD_PREFIX = /^cd[ \t]+(?:'([^']*)'|"([^"\\$`]*)"|([^\s'"\\$`;&|<>()]+))[ \t]*&&[ \t]*/;
/** `apply_patch <<DELIM` (DELIM bare, 'quoted' or "quoted") and nothing else on the line. */
const HEREDOC_START = /^(?:apply_patch|applypatch)[ \t]*<<[ \t]*(?:'([A-Za-z0-9_]+)'|"([A-Za-z0-9_]+)"|([A-Za-z0-9_]+))[ \t]*\n/;

/** What a shell command of `exec_command` is to apply_patch: a patch, a bare patch, or nothing (null). */
export function execPatchOf(command: string): ExecPatch | null {
  if (parses(command)) return { kind: 'bare-patch' };
  let rest = command.trim();
  let workdir: string | null = null;
  const cd = CD_PREFIX.exec(rest);
  if (cd) {
    workdir = cd[1] ?? cd[2] ?? cd[3] ?? null;
    rest = rest.slice(cd[0].length);
  }
  const start = HEREDOC_START.exec(rest);
  if (!start) return null;
  const delimiter = start[1] ?? start[2] ?? start[3]!;
  const lines = rest.slice(start[0].length).split('\n');
  const end = lines.indexOf(delimiter);
  if (end === -1) return null;
  // The heredoc must be the whole command: only blank space may follow its closing line.
  if (lines.slice(end + 1).some((line) => line.trim() !== '')) return null;
  return { kind: 'patch', patch: lines.slice(0, end).join('\n'), workdir };
}

/**
 * Runs `command` as a patch when it is one (see above), for the `exec_command` call `callId` whose working
 * directory is `cwd` (default: the thread's); null when it is an ordinary command for the shell.
 */
export async function interceptExecPatch(
  handler: ApplyPatchHandler,
  command: string,
  callId: string,
  cx: ToolContext,
  cwd: string = cx.cwd,
): Promise<{ output: string } | null> {
  const found = execPatchOf(command);
  if (found === null) return null;
  if (found.kind === 'bare-patch') return { output: IMPLICIT_INVOCATION };
  const baseDir = found.workdir === null ? cwd : resolvePatchPath(cwd, found.workdir);
  const run = await handler.runPatch(found.patch, callId, cx, baseDir);
  return { output: run.applied ? EXEC_PATCH_PREFIX + run.output : run.output };
}
