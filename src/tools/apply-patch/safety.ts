/**
 * Whether a verified patch runs at once, needs the client's approval, or is refused (reference:
 * `assess_patch_safety` in codex-rs/core/src/safety.rs, as 0.169 behaves):
 *
 * - a patch with no hunks is refused (`empty patch`);
 * - a patch whose every written path (sources and move destinations) the sandbox lets the agent write runs without
 *   asking (inside the sandbox: `danger-full-access` writes anywhere);
 * - otherwise `never` (and a granular policy without `sandbox_approval`) refuses it, with the reference's reason;
 * - otherwise (`on-request`, `on-failure`, granular with `sandbox_approval`) the client is asked; an approved patch
 *   is written without the sandbox (the reference writes an approved file outside the workspace). Checked against
 *   0.169: `on-failure` asks before writing, like `on-request`, rather than trying the sandbox first.
 *
 * Under `on-request`, writes inside the workspace are not asked about.
 */
import type { ApprovalPolicy } from '../tool.js';
import { mayWrite, writableRootsOf, type SandboxPolicy, type WritableRoot } from '../sandbox/policy.js';
import { writtenPaths, type PatchAction } from './verify.js';

export type PatchSafety =
  | { type: 'auto'; roots: WritableRoot[] | null }
  | { type: 'ask' }
  | { type: 'reject'; reason: string };

export const EMPTY_PATCH = 'empty patch';
export const OUTSIDE_PROJECT = 'writing outside of the project; rejected by user approval settings';
export const READ_ONLY_SANDBOX = 'writing is blocked by read-only sandbox; rejected by user approval settings';

function asksForSandboxApproval(policy: ApprovalPolicy): boolean {
  if (policy === 'never') return false;
  if (typeof policy === 'object') return policy.granular.sandbox_approval;
  return true;
}

/**
 * `tmpdir` is the thread's `$TMPDIR` (a writable root under workspace-write unless excluded); `sandboxCwd` the
 * thread's cwd, whose tree the sandbox lets the agent write (default: the patch's base directory).
 */
export function assessPatchSafety(
  action: PatchAction,
  policy: ApprovalPolicy,
  sandbox: SandboxPolicy,
  tmpdir: string | undefined,
  sandboxCwd: string = action.cwd,
): PatchSafety {
  if (action.changes.length === 0) return { type: 'reject', reason: EMPTY_PATCH };
  const roots = writableRootsOf(sandbox, sandboxCwd, tmpdir);
  const constrained = writtenPaths(action).every((p) => mayWrite(roots, p));
  if (constrained) return { type: 'auto', roots };
  if (!asksForSandboxApproval(policy)) return { type: 'reject', reason: sandbox.mode === 'read-only' ? READ_ONLY_SANDBOX : OUTSIDE_PROJECT };
  return { type: 'ask' };
}
