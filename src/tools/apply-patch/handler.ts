/**
 * The `apply_patch` tool (issue 14), as 0.169 runs it for a `custom_tool_call` (input = the patch text) or, for
 * models offered the function form, a `function_call` whose JSON arguments carry `input`:
 *
 * 1. verify the patch against the files (no item on failure; the model reads
 *    `apply_patch verification failed: <reason>`);
 * 2. judge it ({@link assessPatchSafety}); a refused patch gets `patch rejected: <reason>`, no item;
 * 3. `item/started` with the `fileChange` item (id = the call id, `inProgress`);
 * 4. if the policy asks: `item/fileChange/requestApproval` {threadId, turnId, itemId, startedAtMs, reason: null,
 *    grantRoot: null}; `decline` → item `declined`, model reads `patch rejected by user`; `cancel` → the turn is
 *    interrupted (no `item/completed`, no output: {@link ApprovalCancelledError});
 * 5. write the files; `item/completed` `completed` or `failed`; the rollout's `item_completed` line; the turn's
 *    diff (then `turn/diff/updated` when it is not empty);
 * 6. the model reads `Exit code: N\nWall time: S seconds\nOutput:\n<stdout+stderr>`.
 */
import type { ToolCall, ToolContext, ToolHandler, ToolResult } from '../tool.js';
import { mayWrite } from '../sandbox/policy.js';
import { applyHunks, type ApplyOutcome } from './apply.js';
import { fileChangeCompletedPayload, fileChangeItem, type PatchStatus } from './file-change-item.js';
import { assessPatchSafety } from './safety.js';
import { APPLY_PATCH_TOOL_NAME } from './spec.js';
import { diffDisplayRoot, type TurnDiffs } from './turn-diff-tracker.js';
import { verifyPatch, writtenPaths, type PatchAction } from './verify.js';
import { APPROVAL_REQUEST_FAILED } from '../approval.js';

/** What the model reads for a call in the wrong form (a `function_call` to the freeform tool). */
export const INCOMPATIBLE_PAYLOAD = 'aborted';

/** The model's text when the client declines. */
export const PATCH_REJECTED_BY_USER = 'patch rejected by user';

/**
 * Thrown by `handle` when the client answers `cancel`, or when the turn was interrupted before the files were
 * written: the reference then aborts the whole turn, completing neither the item nor the tool call. The runner
 * should end the turn as interrupted and send no output for this call.
 */
export class ApprovalCancelledError extends Error {
  constructor(readonly callId: string) {
    super(`approval of apply_patch call ${callId} was cancelled`);
    this.name = 'ApprovalCancelledError';
  }
}

export interface ApplyPatchHandlerOptions {
  /** The thread's per-turn diff trackers (shared with the turn runner, which reads them after each response). */
  turnDiffs: TurnDiffs;
  /** Sends `turn/diff/updated` {threadId, turnId, diff}. */
  emitTurnDiff(threadId: string, turnId: string, diff: string): void;
  /** `custom` for the freeform tool (default), `function` where the model is offered the JSON form. */
  type?: 'custom' | 'function';
}

/** `Wall time` as the reference prints it: seconds rounded to 0.1, without a trailing `.0`. */
export function formatWallTime(ms: number): string {
  return String(Math.round(Math.max(0, ms) / 100) / 10);
}

/** The output text the model reads for a patch that ran (successfully or not). */
export function execOutputText(outcome: ApplyOutcome, wallMs: number): string {
  return `Exit code: ${outcome.exitCode}\nWall time: ${formatWallTime(wallMs)} seconds\nOutput:\n${outcome.stdout}${outcome.stderr}`;
}

/** The patch text of a call, or the text to answer the model with when the arguments are unusable. */
function patchInput(call: ToolCall): { patch: string } | { error: string } {
  if (call.type === 'custom_tool_call') return { patch: call.input };
  let args: unknown;
  try {
    args = JSON.parse(call.input);
  } catch (error) {
    return { error: `failed to parse function arguments: ${error instanceof Error ? error.message : String(error)}` };
  }
  const input = typeof args === 'object' && args !== null ? (args as Record<string, unknown>)['input'] : undefined;
  if (typeof input !== 'string') return { error: 'failed to parse function arguments: missing field `input`' };
  return { patch: input };
}

/**
 * One handler per thread (it lives in the thread's Toolset): it remembers the paths the client approved with
 * `acceptForSession`, and a later patch that writes only such paths is not asked about (reference behaviour,
 * checked against 0.169: a patch writing a subset of session-approved paths runs without a request).
 */
export interface ApplyPatchHandler extends ToolHandler {
  /**
   * Runs a patch the model sent some other way (an `exec_command` running `apply_patch <<'EOF'`, see
   * exec-intercept.ts), relative to `baseDir`, through the same items, approvals and outputs.
   */
  runPatch(patch: string, callId: string, cx: ToolContext, baseDir: string): Promise<PatchRun>;
}

/** The outcome of a patch: the model's text, and whether the files were written (exit code 0). */
export interface PatchRun {
  output: string;
  applied: boolean;
}

export function createApplyPatchHandler(options: ApplyPatchHandlerOptions): ApplyPatchHandler {
  const approvedForSession = new Set<string>();
  const type = options.type ?? 'custom';

  async function runPatch(patch: string, callId: string, cx: ToolContext, baseDir: string): Promise<PatchRun> {
    const refused = (output: string): PatchRun => ({ output, applied: false });
    const verified = await verifyPatch(patch, baseDir);
    if (!verified.ok) return refused(`apply_patch verification failed: ${verified.message}`);
    const action = verified.action;
    const safety = assessPatchSafety(action, cx.approvalPolicy, cx.sandbox, cx.env['TMPDIR'], cx.cwd);
    if (safety.type === 'reject') return refused(`patch rejected: ${safety.reason}`);

    const itemId = callId;
    const startedAtMs = cx.nowMs();
    cx.itemStarted(fileChangeItem(itemId, action, 'inProgress', startedAtMs, null));

    let guard: ((target: string) => boolean) | undefined;
    const paths = writtenPaths(action);
    if (safety.type === 'ask' && !paths.every((p) => approvedForSession.has(p))) {
      const decision = await cx.approve({
        method: 'item/fileChange/requestApproval',
        params: { threadId: cx.threadId, turnId: cx.turnId, itemId, startedAtMs: cx.nowMs(), reason: null, grantRoot: null },
        sessionKey: approvalSessionKey(action),
      });
      if (decision === 'cancel') throw new ApprovalCancelledError(itemId);
      if (decision === 'decline' || decision === 'failed') {
        // Reference behaviour: both leave the item `declined`; the texts differ.
        const text = decision === 'failed' ? APPROVAL_REQUEST_FAILED : PATCH_REJECTED_BY_USER;
        await finish(cx, itemId, action, 'declined', { stdout: '', stderr: text }, startedAtMs);
        return refused(text);
      }
      if (decision === 'acceptForSession') for (const p of paths) approvedForSession.add(p);
      // Approved: written outside the sandbox, as the reference does.
    } else if (safety.type === 'auto') {
      const roots = safety.roots;
      guard = roots === null ? undefined : (target: string) => mayWrite(roots, target);
    }

    // No tool writes for a turn that was interrupted meanwhile (the reference aborts the turn the same way).
    if (cx.signal.aborted) throw new ApprovalCancelledError(itemId);
    const applyStartedMs = cx.nowMs();
    const outcome = await applyHunks(action.hunks, action.cwd, guard ? { mayWrite: guard } : {});
    const wallMs = cx.nowMs() - applyStartedMs;
    const status: PatchStatus = outcome.exitCode === 0 ? 'completed' : 'failed';
    await finish(cx, itemId, action, status, outcome, startedAtMs);
    if (status === 'completed') {
      const diff = options.turnDiffs.tracker(cx.turnId, await diffDisplayRoot(cx.cwd)).diffAfter(action);
      if (diff !== null) options.emitTurnDiff(cx.threadId, cx.turnId, diff);
    }
    return { output: execOutputText(outcome, wallMs), applied: status === 'completed' };
  }

  return {
    name: APPLY_PATCH_TOOL_NAME,
    type,
    runPatch,
    async handle(call: ToolCall, cx: ToolContext): Promise<ToolResult> {
      if (cx.signal.aborted) throw new ApprovalCancelledError(call.callId);
      // Reference behaviour: a call in the other form than the tool was offered in is a fatal tool error
      // ("tool apply_patch invoked with incompatible payload") that the model reads as `aborted`; the turn goes on.
      if ((call.type === 'custom_tool_call') !== (type === 'custom')) return { output: INCOMPATIBLE_PAYLOAD };
      const input = patchInput(call);
      if ('error' in input) return { output: input.error };
      return { output: (await runPatch(input.patch, call.callId, cx, cx.cwd)).output };
    },
  };
}

async function finish(
  cx: ToolContext,
  itemId: string,
  action: PatchAction,
  status: Exclude<PatchStatus, 'inProgress'>,
  output: { stdout: string; stderr: string },
  startedAtMs: number,
): Promise<void> {
  const completedAtMs = cx.nowMs();
  cx.itemCompleted(fileChangeItem(itemId, action, status, startedAtMs, completedAtMs));
  await cx.record([fileChangeCompletedPayload({ threadId: cx.threadId, turnId: cx.turnId, itemId }, action, status, output, startedAtMs, completedAtMs)]);
}

/**
 * The `sessionKey` of a patch's approval request: its set of written paths. The handler itself also remembers
 * session-approved paths, because the reference approves any later patch whose paths are a subset, which a single
 * key cannot express.
 */
export function approvalSessionKey(action: PatchAction): string {
  return `apply_patch:${[...new Set(writtenPaths(action))].sort().join('\n')}`;
}
