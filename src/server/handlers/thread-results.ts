import type { ThreadResumeResponse, ThreadStartResponse } from '../../protocol/responses.js';
import type { Thread } from '../../protocol/thread.js';
import type { LoadedThread } from '../../threads/loaded-thread.js';
import { approvalPolicyOut } from './approval-policy-wire.js';
import { sandboxWire } from './sandbox-wire.js';

/** thread/start and thread/fork result, keys in the reference order. */
export function startResult(thread: LoadedThread, threadWire: Thread): ThreadStartResponse {
  const s = thread.settings;
  return {
    thread: threadWire,
    model: s.model,
    modelProvider: s.modelProvider,
    serviceTier: null,
    disabledPluginIds: [],
    cwd: s.cwd,
    runtimeWorkspaceRoots: [s.cwd],
    instructionSources: [],
    approvalPolicy: approvalPolicyOut(s.approvalPolicy),
    approvalsReviewer: 'user',
    sandbox: sandboxWire(s.sandboxMode, s.workspaceWrite),
    // Reference behaviour (observed): only the built-in default sandbox (read-only, set by neither config.toml nor
    // the request) reports its permission profile; an explicit `sandbox_mode`, even `read-only`, reports none.
    activePermissionProfile: s.sandboxMode === 'read-only' && s.defaultPermissionProfile === true ? { id: ':read-only', extends: null } : null,
    reasoningEffort: null,
    multiAgentMode: 'explicitRequestOnly',
  };
}

/** thread/resume result: the start keys plus collaborationMode and the paging cursors (SPEC §4.4). */
export function resumeResult(thread: LoadedThread, threadWire: Thread, projected: { turns: string | null; items: string | null } | null = null): ThreadResumeResponse {
  const { multiAgentMode, ...start } = startResult(thread, threadWire);
  const cursor = (ordinal: number, kind: string) =>
    JSON.stringify({ requestedThreadId: thread.id, rolloutOrdinal: ordinal, includeAnchor: true, scope: { kind } });
  const lastOrdinal = Math.max(0, (thread.nextOrdinal ?? 1) - 1);
  return {
    ...start,
    collaborationMode: { mode: 'default', settings: { model: thread.settings.model, reasoning_effort: null, developer_instructions: null } },
    multiAgentMode,
    initialTurnsPage: null,
    // The reference anchors both on the last projected turn and item (their rollout ordinals); without a
    // projection to read, the rollout's own numbering is the best guess.
    turnsBackwardsCursor: projected ? projected.turns : cursor(1, 'turns'),
    itemsBackwardsCursor: projected ? projected.items : cursor(lastOrdinal, 'itemsByCreatedAtOrdinal'),
  };
}
