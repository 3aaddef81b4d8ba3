import type { ResponseInputItem } from '../model/types.js';
import { sandboxPolicyJson } from '../rollout/file-row.js';
import type { IndexedThreadInput } from '../rollout/thread-index.js';
import type { WriterLock } from '../rollout/writer-lock.js';
import type { RolloutWriter } from '../rollout/writer.js';
import type { SessionSource } from '../rollout/types.js';
import type { ThreadSettings } from './rollout-lines.js';
import { ZERO_TOKENS, threadWire, type JsonObject, type ThreadStatusWire, type TokenBreakdown, type TurnFacts } from './wire.js';

/** A turn in flight on a loaded thread. */
export interface ActiveTurn {
  turn: TurnFacts;
  /** Aborts the whole turn (`turn/interrupt`, archive, shutdown). */
  controller: AbortController;
  /** Aborts only the model request in flight (steering restarts it with the new input). */
  request: AbortController | null;
  /** User inputs steered into the running turn, not yet recorded. */
  pendingInputs: JsonObject[][];
  interrupted: boolean;
  done: Promise<void>;
}

/**
 * A thread loaded in this process: its settings, its writer (and writer lock), its in-memory history for the
 * next model request, and its live status. Mutated only on the thread's own queue or by its turn runner.
 */
export class LoadedThread {
  status: ThreadStatusWire = { type: 'idle' };
  active: ActiveTurn | null = null;
  turns: TurnFacts[] = [];
  modelInput: ResponseInputItem[] = [];
  totalUsage: TokenBreakdown = ZERO_TOKENS;
  lastUsage: TokenBreakdown | null = null;
  historySequence = 0;
  name: string | null = null;
  preview = '';
  updatedAtMs: number;
  recencyAtMs: number;
  /** The thread's pending history-projection work, in turn order. */
  projection: Promise<void> = Promise.resolve();
  /** Last request or turn activity, for idle unloading. */
  lastActivityMs: number;
  /**
   * Whether turns are projected into `thread_history_1.sqlite`: true for `history_mode: "paginated"` rollouts
   * (ours and the reference 0.169.0's), false for older ones, which the reference reads from the file.
   */
  projectHistory = true;

  constructor(
    readonly settings: ThreadSettings,
    readonly ephemeral: boolean,
    /** Null for ephemeral threads: nothing is ever written. */
    readonly writer: RolloutWriter | null,
    readonly lock: WriterLock | null,
    readonly origin: { forkedFromId: string | null; parentThreadId: string | null; source: SessionSource; agentNickname: string | null; agentRole: string | null },
  ) {
    this.updatedAtMs = settings.createdAtMs;
    this.recencyAtMs = settings.createdAtMs;
    this.lastActivityMs = settings.createdAtMs;
  }

  get id(): string {
    return this.settings.threadId;
  }

  /** True once the rollout exists on disk (after the first turn, or for a resumed/forked thread). */
  get materialized(): boolean {
    return this.writer !== null && (this.writer.materialized || this.writer.ordinal > 0);
  }

  get rolloutPath(): string | null {
    return this.writer?.rolloutPath ?? null;
  }

  /** This thread's state DB row (SPEC §8.1): what the row holds once the rollout exists. */
  indexRow(nowMs: number): IndexedThreadInput {
    const s = this.settings;
    return {
      id: this.id, rolloutPath: this.rolloutPath ?? '', archived: false, createdAtMs: s.createdAtMs, updatedAtMs: nowMs,
      recencyAtMs: this.recencyAtMs, source: this.origin.source, spawn: null, modelProvider: s.modelProvider, model: s.model, cwd: s.cwd,
      cliVersion: s.cliVersion, originator: s.originator, preview: this.preview, tokensUsed: this.totalUsage.totalTokens,
      approvalMode: s.approvalPolicy, sandboxPolicy: sandboxPolicyJson(s.sandboxMode), name: this.name, archivedAtMs: null,
    };
  }

  /** The loaded form of the Thread object (SPEC §3). `forkedFromId` shows only in the fork's own messages. */
  toWire(turns: JsonObject[], opts: { showForkedFrom?: boolean } = {}): JsonObject {
    return threadWire({
      id: this.id,
      loaded: true,
      cwd: this.settings.cwd,
      forkedFromId: opts.showForkedFrom ? this.origin.forkedFromId : null,
      parentThreadId: this.origin.parentThreadId,
      preview: this.preview,
      ephemeral: this.ephemeral,
      modelProvider: this.settings.modelProvider,
      model: this.settings.model,
      createdAtMs: this.settings.createdAtMs,
      updatedAtMs: this.updatedAtMs,
      recencyAtMs: this.recencyAtMs,
      status: this.status,
      path: this.rolloutPath,
      cliVersion: this.settings.cliVersion,
      originator: this.settings.originator,
      source: this.origin.source,
      agentNickname: this.origin.agentNickname,
      agentRole: this.origin.agentRole,
      name: this.name,
      directInput: true,
      turns,
    });
  }
}
