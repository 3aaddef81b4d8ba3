import type { IndexedThreadInput, StoredThread } from '../rollout/thread-store.js';
import { sandboxPolicyJson } from '../rollout/thread-store.js';
import type { LoadedThread } from './loaded-thread.js';
import type { ThreadFacts } from './render/thread.js';
import { approvalPolicyLabel } from './tool-policy.js';

/**
 * The plain facts the `Thread` renderer takes, from the two places a thread's state lives: a thread loaded in
 * this process, or a stored one (its rollout summary). Also the DB row of a loaded thread.
 */

/** A loaded thread. `forkedFromId` shows only in the fork's own messages; `directInput` is null in listings. */
export function loadedThreadFacts(thread: LoadedThread, opts: { showForkedFrom?: boolean; directInput?: boolean | null } = {}): ThreadFacts {
  const s = thread.settings;
  return {
    id: thread.id, loaded: true, cwd: s.cwd, forkedFromId: opts.showForkedFrom ? thread.origin.forkedFromId : null, parentThreadId: thread.origin.parentThreadId,
    preview: thread.preview, ephemeral: thread.ephemeral, modelProvider: s.modelProvider, model: s.model, createdAtMs: s.createdAtMs,
    updatedAtMs: thread.updatedAtMs, recencyAtMs: thread.recencyAtMs, status: thread.status, path: thread.rolloutPath, cliVersion: s.cliVersion,
    originator: s.originator, source: thread.origin.source, agentNickname: thread.origin.agentNickname, agentRole: thread.origin.agentRole,
    name: thread.name, directInput: opts.directInput === undefined ? true : opts.directInput,
  };
}

/** A thread not loaded here, as its rollout (and name) say. */
export function storedThreadFacts(stored: StoredThread): ThreadFacts {
  return {
    id: stored.id, loaded: false, cwd: stored.cwd, forkedFromId: null, parentThreadId: stored.spawn?.parentThreadId ?? null, preview: stored.preview,
    ephemeral: false, modelProvider: stored.modelProvider, model: stored.model, createdAtMs: stored.createdAtMs, updatedAtMs: stored.updatedAtMs,
    recencyAtMs: stored.recencyAtMs, status: { type: 'notLoaded' }, path: stored.rolloutPath, cliVersion: stored.cliVersion, originator: stored.originator,
    source: stored.source, agentNickname: stored.spawn?.agentNickname ?? null, agentRole: stored.spawn?.agentRole ?? null, name: stored.name, directInput: null,
  };
}

/** A loaded thread's state DB row (SPEC §8.1): what the row holds once the rollout exists. */
export function indexRowOf(thread: LoadedThread, nowMs: number): IndexedThreadInput {
  const s = thread.settings;
  return {
    id: thread.id, rolloutPath: thread.rolloutPath ?? '', archived: false, createdAtMs: s.createdAtMs, updatedAtMs: nowMs,
    recencyAtMs: thread.recencyAtMs, source: thread.origin.source, spawn: null, modelProvider: s.modelProvider, model: s.model, cwd: s.cwd,
    cliVersion: s.cliVersion, originator: s.originator, preview: thread.preview, tokensUsed: thread.totalUsage.totalTokens,
    approvalMode: approvalPolicyLabel(s.approvalPolicy), sandboxPolicy: sandboxPolicyJson(s.sandboxMode), name: thread.name, archivedAtMs: null,
  };
}
