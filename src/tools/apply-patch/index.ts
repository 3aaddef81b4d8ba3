/** The apply_patch tool (issue 14): what the turn runner, the registry, exec_command and the history readers use. */
export { ApprovalCancelledError, createApplyPatchHandler, execOutputText, type ApplyPatchHandler, type ApplyPatchHandlerOptions } from './handler.js';
export { execPatchOf, interceptExecPatch } from './exec-intercept.js';
export { fileChangeItemFromRollout } from './file-change-item.js';
export { applyPatchToolSpec, APPLY_PATCH_TOOL_NAME } from './spec.js';
export { diffDisplayRoot, TurnDiffs, TurnDiffTracker } from './turn-diff-tracker.js';
