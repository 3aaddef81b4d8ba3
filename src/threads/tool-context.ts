/**
 * The `ToolContext` a turn gives its tools (issue 14): their items become `item/*` notifications of this thread
 * and turn, their rollout events are appended through the turn's writer, and their approvals go to the client
 * that started the turn, with the thread's `waitingOnApproval` flag, `serverRequest/resolved` and the thread's
 * memory of `acceptForSession` answers. Everything is a no-op once the turn is interrupted.
 */
import type { NewRolloutLine } from '../rollout/types.js';
import type { Clock } from '../support/clock.js';
import type { IdSource } from '../support/ids.js';
import type { JsonObject } from '../support/json-values.js';
import type { Logger } from '../support/logger.js';
import type { ApprovalDecision, ApprovalPort, ApprovalRequest } from '../tools/approval.js';
import type { SandboxPolicy } from '../tools/sandbox/policy.js';
import type { ApprovalPolicy, ToolContext } from '../tools/tool.js';
import type { ActiveTurn, LoadedThread } from './loaded-thread.js';
import type { ThreadEventSink } from './ports.js';

export interface ToolContextDeps {
  clock: Clock;
  ids: IdSource;
  log: Logger;
  sink: ThreadEventSink;
  approvals: ApprovalPort;
  env: Readonly<Record<string, string | undefined>>;
  codexHome: string;
  sandbox: SandboxPolicy;
  approvalPolicy: ApprovalPolicy;
  /** Appends lines to the thread's rollout (the runner's append: ordinals, projection). */
  append(lines: NewRolloutLine[]): Promise<void>;
}

export class TurnToolContext implements ToolContext {
  /** A refused approval keeps `waitingOnApproval` until the tool has completed its item (reference order). */
  private clearFlagsAfterItem = false;

  constructor(
    private readonly thread: LoadedThread,
    private readonly active: ActiveTurn,
    private readonly deps: ToolContextDeps,
  ) {}

  get threadId(): string {
    return this.thread.id;
  }

  get turnId(): string {
    return this.active.turn.id;
  }

  get model(): string {
    return this.thread.settings.model;
  }

  get cwd(): string {
    return this.thread.settings.cwd;
  }

  get sandbox(): SandboxPolicy {
    return this.deps.sandbox;
  }

  get approvalPolicy(): ApprovalPolicy {
    return this.deps.approvalPolicy;
  }

  get signal(): AbortSignal {
    return this.active.controller.signal;
  }

  get env(): Readonly<Record<string, string | undefined>> {
    return this.deps.env;
  }

  get codexHome(): string {
    return this.deps.codexHome;
  }

  nowMs(): number {
    return this.deps.clock.nowMs();
  }

  newId(): string {
    return this.deps.ids.uuid7();
  }

  private emit(method: string, params: JsonObject): void {
    this.deps.sink.thread(this.thread.id, method, params);
  }

  /*
   * Reference behaviour (observed): once the turn is interrupted its tools announce nothing more (no item/completed
   * for the command it killed or the approval it cancelled, no rollout event): these calls then do nothing.
   */
  itemStarted(item: JsonObject): void {
    if (this.signal.aborted) return;
    const startedAtMs = typeof item['startedAtMs'] === 'number' ? item['startedAtMs'] : this.nowMs();
    this.emit('item/started', { item, threadId: this.threadId, turnId: this.turnId, startedAtMs });
  }

  itemEvent(method: string, params: JsonObject): void {
    if (this.signal.aborted) return;
    this.emit(method, { threadId: this.threadId, turnId: this.turnId, ...params });
  }

  itemCompleted(item: JsonObject): void {
    if (this.signal.aborted) return;
    const completedAtMs = typeof item['completedAtMs'] === 'number' ? item['completedAtMs'] : this.nowMs();
    this.active.turn.items.push(item);
    this.emit('item/completed', { item, threadId: this.threadId, turnId: this.turnId, contentTokenCount: null, completedAtMs });
    this.settleFlags();
  }

  /** Clears a `waitingOnApproval` left for after the item (the runner calls it when the tool call ends too). */
  settleFlags(): void {
    if (!this.clearFlagsAfterItem) return;
    this.clearFlagsAfterItem = false;
    if (this.thread.pendingApprovals === 0 && this.thread.active === this.active && !this.signal.aborted) this.setFlags([]);
  }

  async record(eventMessages: JsonObject[]): Promise<void> {
    if (eventMessages.length === 0 || this.signal.aborted) return;
    await this.deps.append(eventMessages.map((payload) => ({ type: 'event_msg', payload })));
  }

  /**
   * Reference behaviour (observed): `thread/status/changed` with `waitingOnApproval`, the request, the answer, then
   * `serverRequest/resolved {threadId, requestId}` and the status back without the flag. An action approved
   * `acceptForSession` earlier in the thread (same `sessionKey`) is accepted without asking.
   */
  async approve(request: ApprovalRequest): Promise<ApprovalDecision> {
    const startItem = 'startItem' in request ? request.startItem : undefined;
    if (this.signal.aborted || this.thread.approvedForSession.has(request.sessionKey)) {
      if (startItem) this.itemStarted(startItem);
      return this.signal.aborted ? 'cancel' : 'acceptForSession';
    }
    this.thread.pendingApprovals += 1;
    if (this.thread.pendingApprovals === 1) this.setFlags(['waitingOnApproval']);
    if (startItem) this.itemStarted(startItem);
    let decision: ApprovalDecision = 'decline';
    try {
      const outcome = await this.deps.approvals.request(request, this.signal);
      if (outcome.requestId !== null) this.resolved(outcome.requestId);
      if (outcome.decision === 'acceptForSession') this.thread.approvedForSession.add(request.sessionKey);
      decision = this.signal.aborted ? 'cancel' : outcome.decision;
    } catch (err) {
      // The port never rejects by contract; a bug there must not hang or crash the turn.
      this.deps.log.error({ err, threadId: this.threadId }, 'approval port failed');
    } finally {
      this.thread.pendingApprovals -= 1;
    }
    // Reference behaviour (observed): accepted → the flag clears before the command runs; refused → after the
    // declined item is completed; a failed request for a patch → before its item completes (for a command: after).
    const failedPatch = decision === 'failed' && request.method === 'item/fileChange/requestApproval';
    if (decision === 'accept' || decision === 'acceptForSession' || failedPatch) {
      if (this.thread.pendingApprovals === 0 && this.thread.active === this.active && !this.signal.aborted) this.setFlags([]);
    } else {
      this.clearFlagsAfterItem = true;
    }
    return decision;
  }

  /**
   * `serverRequest/resolved`. Reference behaviour (observed): a request the interrupt cancelled is resolved after
   * the turn's `turn/completed`.
   */
  private resolved(requestId: number | string): void {
    const send = (): void => this.emit('serverRequest/resolved', { threadId: this.threadId, requestId });
    if (!this.signal.aborted) return send();
    (this.active.afterCompletion ??= []).push(send);
  }

  private setFlags(activeFlags: ('waitingOnApproval' | 'waitingOnUserInput')[]): void {
    this.thread.status = { type: 'active', activeFlags };
    this.emit('thread/status/changed', { threadId: this.threadId, status: this.thread.status });
  }
}
