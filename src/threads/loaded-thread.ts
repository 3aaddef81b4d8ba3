import type { RateLimitSnapshot } from '../model/rate-limits.js';
import type { ResponseInputItem } from '../model/types.js';
import type { ThreadLock, ThreadWriter } from '../rollout/thread-store.js';
import type { SessionSource } from '../rollout/types.js';
import type { JsonObject } from '../support/json-values.js';
import type { Toolset } from '../tools/tool.js';
import type { ThreadStatus } from './facts.js';
import type { TurnFacts } from './facts.js';
import type { ThreadSettings } from './rollout-lines.js';
import { ZERO_TOKENS, type TokenBreakdown } from './tokens.js';

/** Input steered into a running turn (`turn/steer`, or `turn/start` while a turn runs). */
export interface SteeredInput {
  input: JsonObject[];
  /** `clientUserMessageId` of `turn/steer`: the user item's `clientId`. */
  clientId: string | null;
}

/** A turn in flight on a loaded thread. */
export interface ActiveTurn {
  turn: TurnFacts;
  /** Aborts the whole turn (`turn/interrupt`, archive, shutdown). */
  controller: AbortController;
  /** Aborts only the model request in flight (steering restarts it with the new input). */
  request: AbortController | null;
  /** User inputs steered into the running turn, not yet recorded. */
  pendingInputs: SteeredInput[];
  interrupted: boolean;
  done: Promise<void>;
  /** Called (synchronously) when the turn is interrupted, before the interrupt is answered. */
  onInterrupt?: () => void;
  /** Notifications due once `turn/completed` is out (an approval the interrupt cancelled is resolved after it). */
  afterCompletion?: (() => void)[];
}

/**
 * A thread loaded in this process: its settings, its writer (and writer lock), its in-memory history for the
 * next model request, and its live status. Domain state only: its wire shape comes from `thread-facts.ts` and
 * `render/`, its DB row from `indexRowOf`. Mutated only on the thread's own queue or by its turn runner.
 */
export class LoadedThread {
  status: ThreadStatus = { type: 'idle' };
  active: ActiveTurn | null = null;
  turns: TurnFacts[] = [];
  modelInput: ResponseInputItem[] = [];
  totalUsage: TokenBreakdown = ZERO_TOKENS;
  lastUsage: TokenBreakdown | null = null;
  /** The provider's latest rate limits seen by this thread (the reference keeps them per session). */
  rateLimits: RateLimitSnapshot | null = null;
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
  /** The thread's tools (command sessions live across turns); created with its first turn, closed on unload. */
  toolset: Toolset | null = null;
  /** `sessionKey`s the client approved with `acceptForSession`: asked no more in this thread. */
  readonly approvedForSession = new Set<string>();
  /** Approval requests waiting for the client (the status shows `waitingOnApproval` while non-zero). */
  pendingApprovals = 0;

  constructor(
    readonly settings: ThreadSettings,
    readonly ephemeral: boolean,
    /** Null for ephemeral threads: nothing is ever written. */
    readonly writer: ThreadWriter | null,
    readonly lock: ThreadLock | null,
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

  /** Interrupts the running turn, if any, and waits until its lines are written and it has ended. */
  async interruptAndSettle(): Promise<void> {
    const active = this.active;
    if (!active) return;
    active.interrupted = true;
    active.controller.abort();
    await active.done;
  }

  /** The ordinal the next appended line gets; null for an ephemeral thread (nothing is ever written). */
  get nextOrdinal(): number | null {
    return this.writer?.ordinal ?? null;
  }

  get rolloutPath(): string | null {
    return this.writer?.rolloutPath ?? null;
  }
}
