import { ModelError, type ModelClient, type ModelEvent, type ModelErrorInfo, type ResponseUsage } from '../model/types.js';
import type { AppendedLine, NewRolloutLine } from '../rollout/types.js';
import type { JsonObject } from '../support/json-values.js';
import type { Clock } from '../support/clock.js';
import type { IdSource } from '../support/ids.js';
import type { Logger } from '../support/logger.js';
import type { ApprovalPort } from '../tools/approval.js';
import type { SandboxPolicy } from '../tools/sandbox/policy.js';
import { toolSpecsFor } from '../tools/specs.js';
import type { ApprovalPolicy } from '../tools/tool.js';
import { FALLBACK_CONTEXT_WINDOW, isKnownModel } from './catalog.js';
import type { HistoryProjector } from './history-projector.js';
import { agentMessageItem, reasoningItem, userMessageItem } from './render/items.js';
import type { ThreadStatus } from './facts.js';
import { renderTurn } from './render/turn.js';
import { indexRowOf } from './thread-facts.js';
import type { ActiveTurn, LoadedThread } from './loaded-thread.js';
import type { ThreadEventSink, ThreadStatePort } from './ports.js';
import { visibleTextsOfTurns } from './search-text.js';
import * as lines from './rollout-lines.js';
import { addTokens, ZERO_TOKENS, type TokenBreakdown } from './tokens.js';
import { TurnToolContext } from './tool-context.js';
import { isToolCallItem, TurnToolCalls } from './tool-calls.js';
import { COMPACTION_PROMPT, compactedLine, estimateTokens, retainedUserMessages, summaryMessageText, withoutPayloadKeys } from './compaction.js';
import { mergeRateLimits, type RateLimitSnapshot } from '../model/rate-limits.js';
import { rateLimitsNotification } from './rate-limit-render.js';

/** What a turn's tools run with: the client to ask, the policies in force for this turn, the process facts. */
export interface TurnToolDeps {
  approvals: ApprovalPort;
  approvalPolicy: ApprovalPolicy;
  sandbox: SandboxPolicy;
  env: Readonly<Record<string, string | undefined>>;
  codexHome: string;
}

export interface TurnRunnerDeps {
  model: ModelClient;
  clock: Clock;
  ids: IdSource;
  log: Logger;
  sink: ThreadEventSink;
  stateDb: ThreadStatePort | null;
  userAgent: string;
  installationId: string;
  /** Keeps `thread_history_1.sqlite` in step: the turn's lines are projected when it ends. */
  projector: HistoryProjector | null;
  tools: TurnToolDeps;
}

/** Reference behaviour (0.169.0): the note the history gets when a turn is interrupted. */
const TURN_ABORTED_NOTICE =
  '<turn_aborted>\nThe user interrupted the previous turn on purpose. Any running unified exec processes may still be running in the background. If any tools/commands were aborted, they may have partially executed.\n</turn_aborted>';

/** Partial output of one model request; dropped when the request is retried or abandoned. */
interface Partial {
  agentText: Map<string, string>;
  reasoning: Map<string, { summary: string[]; content: string[]; startedAtMs: number }>;
  startedAt: Map<string, number>;
}

/**
 * Runs one turn to its end: records input, streams the model, appends every line to the rollout as it
 * happens (so a crash keeps what was complete), emits the SPEC §4.2 notifications, and always leaves the
 * thread idle (or systemError) and usable. Steered input restarts the model request inside the same turn.
 */
export class TurnRunner {
  private readonly turnUsage = { value: ZERO_TOKENS };
  private lastAgentMessage: string | null = null;
  private finalAgentItem: JsonObject | null = null;
  private firstTokenMs: number | null = null;
  /** Lines this turn appended (ordinals and byte spans), projected at its end. */
  private readonly appended: AppendedLine[] = [];
  private readonly toolCalls: TurnToolCalls;
  /** Tool calls of the model response in flight (its end re-sends the turn's diff when there were any). */
  private callsInResponse = 0;
  /** A model response is streaming (sent, not yet `completed`). */
  private responseOpen = false;
  /** The turn was interrupted while a response streamed: its end records the usage so far first. */
  private interruptedMidResponse = false;

  constructor(
    private readonly thread: LoadedThread,
    private readonly active: ActiveTurn,
    private readonly deps: TurnRunnerDeps,
    private readonly contextWindow: number = FALLBACK_CONTEXT_WINDOW,
  ) {
    const append = (batch: NewRolloutLine[]): Promise<void> => this.append(batch);
    const context = new TurnToolContext(thread, active, { ...deps, ...deps.tools, append });
    const offered = new Set(this.toolSpecs().map((spec) => String(spec['name'])));
    this.toolCalls = new TurnToolCalls(thread, active, { ...deps, toolset: thread.toolset, offered, context, append });
    active.onInterrupt = () => this.onInterrupt();
  }

  /**
   * Reference behaviour (observed): interrupting a turn while its model response streams reports the usage so far
   * (`thread/tokenUsage/updated`, once there is usage) and the rate limits before the interrupt is answered, and
   * the turn's end records a `token_count` line before the abort notice.
   */
  private onInterrupt(): void {
    if (!this.responseOpen || this.interruptedMidResponse) return;
    this.interruptedMidResponse = true;
    const { thread } = this;
    const last = thread.lastUsage;
    if (last !== null) this.emit('thread/tokenUsage/updated', { threadId: thread.id, turnId: this.turnId, tokenUsage: { total: thread.totalUsage, last, modelContextWindow: this.contextWindow } });
    this.emit('account/rateLimits/updated', rateLimitsNotification(thread.rateLimits));
  }

  /** The tools offered to the model: those the reference offers for this model that the thread's toolset runs. */
  private toolSpecs(): Record<string, unknown>[] {
    const toolset = this.thread.toolset;
    return toolSpecsFor(isKnownModel(this.thread.settings.model), (name) => toolset?.handler(name) !== undefined);
  }

  private emit(method: string, params: JsonObject): void {
    this.deps.sink.thread(this.thread.id, method, params);
  }

  private setStatus(status: ThreadStatus): void {
    this.thread.status = status;
    this.emit('thread/status/changed', { threadId: this.thread.id, status });
  }

  private get turnId(): string {
    return this.active.turn.id;
  }

  async run(input: JsonObject[]): Promise<void> {
    const { thread, active } = this;
    const turn = active.turn;
    try {
      this.setStatus({ type: 'active', activeFlags: [] });
      this.emit('turn/started', { threadId: thread.id, turn: renderTurn({ ...turn, items: [], itemsView: 'notLoaded' }) });
      await this.writeTurnHeader();
      if (input.length > 0) await this.recordUserInput(input);
      let followUp = true;
      while (followUp) {
        if (active.controller.signal.aborted) throw new DOMException('turn interrupted', 'AbortError');
        followUp = await this.requestOnce();
        for (let steered = active.pendingInputs.shift(); steered; steered = active.pendingInputs.shift()) {
          await this.recordUserInput(steered.input, steered.clientId);
          followUp = true;
        }
      }
      await this.complete();
    } catch (error) {
      await this.toolCalls.settle();
      if (active.interrupted || isAbort(error)) await this.interrupted();
      else if (error instanceof ModelError) await this.failed(error.info);
      else {
        this.deps.log.error({ err: error, threadId: thread.id }, 'turn failed unexpectedly');
        await this.failed({ message: (error as Error).message ?? String(error), codexErrorInfo: 'other', additionalDetails: null, afterHttpOk: false });
      }
    } finally {
      // The turn is over for clients (turn/completed sent, `active` cleared) before this fsync finishes.
      if (thread.active === active) thread.active = null;
      thread.toolset?.turnEnded?.(turn.id);
      thread.lastActivityMs = this.deps.clock.nowMs();
      await thread.writer?.sync().catch((err: unknown) => this.deps.log.error({ err }, 'rollout fsync failed'));
    }
  }

  /**
   * A standalone compaction turn (`thread/compact/start`), in the reference's order: a `contextCompaction` item, the
   * usage so far, one model request (history + compaction prompt, no tools), its usage, the `compacted` line with the
   * replacement history, an estimate of the new history's size, the item's end. See compaction.ts.
   */
  async runCompaction(): Promise<void> {
    const { thread, active } = this;
    const turn = active.turn;
    try {
      this.setStatus({ type: 'active', activeFlags: [] });
      this.emit('turn/started', { threadId: thread.id, turn: renderTurn({ ...turn, items: [], itemsView: 'notLoaded' }) });
      // Reference behaviour: no context messages before the compaction request, even on a thread with no turns yet
      // (the replacement history brings fresh ones).
      const started = withoutPayloadKeys(lines.taskStartedLine(this.turnId, turn.startedAtMs ?? this.deps.clock.nowMs(), this.contextWindow), 'turn_attribution');
      if (thread.modelInput.length === 0) thread.modelInput.push({ type: 'message', role: 'developer', content: [{ type: 'input_text', text: lines.BASE_INSTRUCTIONS }] });
      if (thread.materialized) await this.append([started]);
      else await this.append([lines.sessionMetaLine(thread.settings, thread.origin.forkedFromId ? { forked_from_id: thread.origin.forkedFromId } : {}), started]);
      const itemId = this.deps.ids.uuid7();
      const startedAtMs = this.deps.clock.nowMs();
      const item = { type: 'contextCompaction', id: itemId, startedAtMs, completedAtMs: null };
      this.emit('item/started', { item, threadId: thread.id, turnId: this.turnId, startedAtMs });
      await this.abandonedRequest();
      const prompt = { type: 'message', role: 'user', content: [{ type: 'input_text', text: COMPACTION_PROMPT }] };
      const stream = this.deps.model.stream(
        { model: thread.settings.model, input: [...thread.modelInput, prompt], threadId: thread.id, turnId: this.turnId, originator: thread.settings.originator, userAgent: this.deps.userAgent, installationId: this.deps.installationId, tools: [], requestKind: 'compaction' },
        active.controller.signal,
      );
      let summary = '';
      let responseId: string | null = null;
      for await (const event of stream) {
        if (event.type === 'outputItemDone' && event.item['type'] === 'message') {
          const id = String(event.item['id'] ?? '');
          summary = messageText(event.item) ?? '';
          await this.append([lines.responseItemLine(lines.messagePayload(id, 'assistant', summary, this.turnId), ++thread.historySequence)]);
        } else if (event.type === 'rateLimits') {
          this.recordRateLimits(event.snapshots);
        } else if (event.type === 'completed') {
          responseId = event.responseId;
          await this.onCompleted(event.responseId, event.usage);
        }
      }
      const s = thread.settings;
      const now = this.deps.clock.nowMs();
      const message = summaryMessageText(summary);
      const dev = lines.messagePayload(`msg_${this.deps.ids.uuid7()}`, 'developer', lines.developerContextText(s), this.turnId);
      const env = lines.messagePayload(`msg_${this.deps.ids.uuid7()}`, 'user', lines.environmentContextText(s, now), this.turnId);
      const summaryItem = lines.messagePayload(`msg_${this.deps.ids.uuid7()}`, 'user', message, this.turnId);
      const replacement = [dev, env, ...retainedUserMessages(thread.modelInput), summaryItem];
      const base = thread.modelInput[0]?.['role'] === 'developer' ? [thread.modelInput[0]] : [];
      thread.modelInput = [...base, ...replacement.map(stripMeta)];
      const estimate = { ...ZERO_TOKENS, totalTokens: estimateTokens(thread.modelInput) };
      const total = thread.totalUsage;
      await this.append([compactedLine(message, replacement, responseId), lines.worldStateLine(s, now), lines.turnContextLine(s, this.turnId), lines.threadSettingsAppliedLine(s), lines.tokenCountLine({ total, last: estimate }, this.contextWindow, thread.rateLimits, true)]);
      this.emit('thread/tokenUsage/updated', { threadId: thread.id, turnId: this.turnId, tokenUsage: { total, last: estimate, modelContextWindow: this.contextWindow } });
      this.emit('account/rateLimits/updated', rateLimitsNotification(this.thread.rateLimits));
      const completedAtMs = this.deps.clock.nowMs();
      await this.append([lines.itemCompletedLine(thread.id, this.turnId, { type: 'ContextCompaction', id: itemId }, startedAtMs, completedAtMs)]);
      this.emit('item/completed', { item: { ...item, completedAtMs }, threadId: thread.id, turnId: this.turnId, contentTokenCount: null, completedAtMs });
      const end = this.finishTurn('completed', null);
      await this.append([withoutPayloadKeys(lines.taskCompleteLine(this.turnId, null, turn.startedAtMs ?? end, end, null), 'time_to_first_token_ms')]);
      await thread.writer?.sync();
      thread.active = null;
      this.setStatus({ type: 'idle' });
      this.emit('turn/completed', { threadId: thread.id, turn: renderTurn({ ...turn, items: [], itemsView: 'notLoaded' }) });
      this.bookkeep(true);
    } catch (error) {
      if (active.interrupted || isAbort(error)) await this.interrupted();
      else if (error instanceof ModelError) await this.failed(error.info);
      else {
        this.deps.log.error({ err: error, threadId: thread.id }, 'compaction failed unexpectedly');
        await this.failed({ message: (error as Error).message ?? String(error), codexErrorInfo: 'other', additionalDetails: null, afterHttpOk: false });
      }
    } finally {
      if (thread.active === active) thread.active = null;
      thread.lastActivityMs = this.deps.clock.nowMs();
      await thread.writer?.sync().catch((err: unknown) => this.deps.log.error({ err }, 'rollout fsync failed'));
    }
  }

  private async append(batch: NewRolloutLine[]): Promise<void> {
    if (!this.thread.writer) return;
    const wasMaterialized = this.thread.materialized;
    this.appended.push(...(await this.thread.writer.append(batch)));
    this.thread.updatedAtMs = this.deps.clock.nowMs();
    // The row insert waits for the next loop turn: the model request should not wait on SQLite.
    if (!wasMaterialized) setImmediate(() => this.indexMaterialized());
  }

  private async writeTurnHeader(): Promise<void> {
    const { thread } = this;
    const s = thread.settings;
    const now = this.deps.clock.nowMs();
    const header = [lines.taskStartedLine(this.turnId, this.active.turn.startedAtMs ?? now, this.contextWindow)];
    if (!thread.materialized) {
      const dev = lines.messagePayload(`msg_${this.deps.ids.uuid7()}`, 'developer', lines.developerContextText(s), this.turnId);
      const env = lines.messagePayload(`msg_${this.deps.ids.uuid7()}`, 'user', lines.environmentContextText(s, now), this.turnId);
      if (thread.modelInput.length === 0) thread.modelInput.push({ type: 'message', role: 'developer', content: [{ type: 'input_text', text: lines.BASE_INSTRUCTIONS }] });
      thread.modelInput.push(stripMeta(dev), stripMeta(env));
      header.unshift(lines.sessionMetaLine(s, thread.origin.forkedFromId ? { forked_from_id: thread.origin.forkedFromId } : {}));
      header.push(lines.responseItemLine(dev, ++thread.historySequence), lines.responseItemLine(env, ++thread.historySequence), lines.worldStateLine(s, now));
      header.push(lines.turnContextLine(s, this.turnId), lines.threadSettingsAppliedLine(s));
    } else {
      header.push(lines.turnContextLine(s, this.turnId));
    }
    await this.append(header);
  }

  private async recordUserInput(input: JsonObject[], clientId: string | null = null): Promise<void> {
    const { thread } = this;
    const now = this.deps.clock.nowMs();
    const itemId = this.deps.ids.uuid7();
    const content = input.map(userContent);
    const text = content.map((c) => (typeof c['text'] === 'string' ? c['text'] : '')).join('');
    const item = userMessageItem(itemId, content, now, null, clientId);
    this.emit('item/started', { item, threadId: thread.id, turnId: this.turnId, startedAtMs: now });
    const payload = lines.messagePayload(`msg_${this.deps.ids.uuid7()}`, 'user', text, this.turnId);
    thread.modelInput.push(stripMeta(payload));
    await this.append([
      lines.responseItemLine(payload, ++thread.historySequence),
      lines.itemCompletedLine(thread.id, this.turnId, { type: 'UserMessage', id: itemId, ...(clientId === null ? {} : { client_id: clientId }), content }, now, now),
    ]);
    const done = { ...item, completedAtMs: now };
    this.active.turn.items.push(done);
    this.emit('item/completed', { item: done, threadId: thread.id, turnId: this.turnId, contentTokenCount: null, completedAtMs: now });
    thread.recencyAtMs = this.active.turn.startedAtMs ?? now;
    if (thread.preview === '' && text !== '') {
      thread.preview = text;
      // The row was inserted with an empty preview when the file materialised; fill it now, not at turn end, so a
      // crash mid-turn cannot leave a row that `useStateDbOnly` listings skip while the file has a user message.
      this.recordInIndex(false);
    }
  }

  /** One model request. Returns true when the model must be asked again (tool output to answer). */
  private async requestOnce(): Promise<boolean> {
    const { thread, active } = this;
    const request = new AbortController();
    active.request = request;
    const signal = AbortSignal.any([active.controller.signal, request.signal]);
    const partial: Partial = { agentText: new Map(), reasoning: new Map(), startedAt: new Map() };
    let followUp = false;
    this.responseOpen = true;
    try {
      const stream = this.deps.model.stream(
        { model: thread.settings.model, input: [...thread.modelInput], threadId: thread.id, turnId: this.turnId, originator: thread.settings.originator, userAgent: this.deps.userAgent, installationId: this.deps.installationId, tools: this.toolSpecs() },
        signal,
      );
      for await (const event of stream) {
        if (await this.onEvent(event, partial)) followUp = true;
      }
      return followUp;
    } catch (error) {
      // Steering aborts only the request: the loop records the new input and asks again.
      if (request.signal.aborted && !active.controller.signal.aborted && active.pendingInputs.length > 0) {
        await this.abandonedRequest();
        return true;
      }
      throw error;
    } finally {
      this.responseOpen = false;
      active.request = null;
    }
  }

  private async onEvent(event: ModelEvent, partial: Partial): Promise<boolean> {
    const { thread } = this;
    const now = this.deps.clock.nowMs();
    const base = { threadId: thread.id, turnId: this.turnId };
    switch (event.type) {
      case 'outputItemAdded': {
        const id = String(event.item['id'] ?? '');
        partial.startedAt.set(id, now);
        if (event.item['type'] === 'message') {
          partial.agentText.set(id, '');
          this.emit('item/started', { item: agentMessageItem(id, '', now, null), ...base, startedAtMs: now });
        } else if (event.item['type'] === 'reasoning') {
          partial.reasoning.set(id, { summary: [], content: [], startedAtMs: now });
          this.emit('item/started', { item: reasoningItem(id, [], [], now, null), ...base, startedAtMs: now });
        }
        return false;
      }
      case 'outputTextDelta':
        this.firstTokenMs ??= now - (this.active.turn.startedAtMs ?? now);
        partial.agentText.set(event.itemId, (partial.agentText.get(event.itemId) ?? '') + event.delta);
        this.emit('item/agentMessage/delta', { ...base, itemId: event.itemId, delta: event.delta });
        return false;
      case 'reasoningSummaryPartAdded':
        this.emit('item/reasoning/summaryPartAdded', { ...base, itemId: event.itemId, summaryIndex: event.summaryIndex });
        return false;
      case 'reasoningSummaryDelta': {
        const r = partial.reasoning.get(event.itemId);
        if (r) r.summary[event.summaryIndex] = (r.summary[event.summaryIndex] ?? '') + event.delta;
        this.emit('item/reasoning/summaryTextDelta', { ...base, itemId: event.itemId, delta: event.delta, summaryIndex: event.summaryIndex });
        return false;
      }
      case 'reasoningTextDelta': {
        const r = partial.reasoning.get(event.itemId);
        if (r) r.content[event.contentIndex] = (r.content[event.contentIndex] ?? '') + event.delta;
        this.emit('item/reasoning/textDelta', { ...base, itemId: event.itemId, delta: event.delta, contentIndex: event.contentIndex });
        return false;
      }
      case 'outputItemDone':
        return this.onItemDone(event.item, partial, now);
      case 'completed':
        this.responseOpen = false;
        await this.onCompleted(event.responseId, event.usage);
        return false;
      case 'retrying':
        partial.agentText.clear();
        partial.reasoning.clear();
        this.emit('error', { error: turnError(event.error, event.error.message, event.error.codexErrorInfo), willRetry: true, ...base });
        return false;
      case 'created':
        return false;
      case 'rateLimits':
        this.recordRateLimits(event.snapshots);
        return false;
    }
  }

  private async onItemDone(item: JsonObject, partial: Partial, now: number): Promise<boolean> {
    const { thread } = this;
    const id = String(item['id'] ?? '');
    const startedAtMs = partial.startedAt.get(id) ?? now;
    const base = { threadId: thread.id, turnId: this.turnId };
    if (item['type'] === 'message') {
      const text = messageText(item) ?? partial.agentText.get(id) ?? '';
      const done = agentMessageItem(id, text, startedAtMs, now);
      const payload = lines.messagePayload(id, 'assistant', text, this.turnId);
      thread.modelInput.push(stripMeta(payload));
      await this.append([lines.itemCompletedLine(thread.id, this.turnId, { type: 'AgentMessage', id, content: [{ type: 'Text', text }] }, startedAtMs, now), lines.responseItemLine(payload, ++thread.historySequence)]);
      this.active.turn.items.push(done);
      this.lastAgentMessage = text;
      this.finalAgentItem = done;
      this.emit('item/completed', { item: done, ...base, contentTokenCount: null, completedAtMs: now });
      return false;
    }
    if (item['type'] === 'reasoning') {
      const r = partial.reasoning.get(id) ?? { summary: [], content: [], startedAtMs };
      const done = reasoningItem(id, r.summary, r.content, r.startedAtMs, now);
      thread.modelInput.push(item);
      await this.append([lines.itemCompletedLine(thread.id, this.turnId, { type: 'Reasoning', id, summary_text: r.summary, raw_content: r.content }, r.startedAtMs, now), lines.responseItemLine(item, ++thread.historySequence)]);
      this.active.turn.items.push(done);
      this.emit('item/completed', { item: done, ...base, contentTokenCount: null, completedAtMs: now });
      return false;
    }
    if (isToolCallItem(item)) {
      // The call starts now, while the stream goes on; the response's end waits for it (onCompleted).
      await this.toolCalls.accept(item);
      this.callsInResponse += 1;
      return true;
    }
    thread.modelInput.push(item);
    await this.append([lines.responseItemLine(item, ++thread.historySequence)]);
    return false;
  }

  private async onCompleted(responseId: string | null, usage: ResponseUsage | null): Promise<void> {
    const { thread } = this;
    const last: TokenBreakdown = usage
      ? { totalTokens: usage.totalTokens, inputTokens: usage.inputTokens, cachedInputTokens: usage.cachedInputTokens, cacheWriteInputTokens: 0, outputTokens: usage.outputTokens, reasoningOutputTokens: usage.reasoningOutputTokens }
      : ZERO_TOKENS;
    this.turnUsage.value = addTokens(this.turnUsage.value, last);
    thread.totalUsage = addTokens(thread.totalUsage, last);
    thread.lastUsage = last;
    const [usageRecord, tokenCount] = lines.tokenLines(thread.id, this.turnId, responseId, last, this.turnUsage.value, thread.totalUsage, this.contextWindow, thread.rateLimits);
    // Reference behaviour: the usage record is written at once, the token count (and its notifications) once the
    // response's tool calls have ended and their outputs are recorded.
    await this.append([usageRecord!]);
    await this.toolCalls.drain();
    await this.append([tokenCount!]);
    this.emit('thread/tokenUsage/updated', { threadId: thread.id, turnId: this.turnId, tokenUsage: { total: thread.totalUsage, last, modelContextWindow: this.contextWindow } });
    this.emit('account/rateLimits/updated', rateLimitsNotification(this.thread.rateLimits));
    if (this.callsInResponse > 0) thread.toolset?.afterResponse?.(thread.id, this.turnId);
    this.callsInResponse = 0;
  }

  /**
   * Reference behaviour (observed for `turn/steer` and `turn/start` steering an in-flight request): the abandoned
   * request is closed with a `token_count` line carrying the thread's usage so far (`info: null` before any) and
   * the matching `thread/tokenUsage/updated` (only once there is usage) and `account/rateLimits/updated`.
   */
  private async abandonedRequest(): Promise<void> {
    const { thread } = this;
    const last = thread.lastUsage;
    await this.append([lines.tokenCountLine(last === null ? null : { total: thread.totalUsage, last }, this.contextWindow, thread.rateLimits)]);
    if (last !== null) this.emit('thread/tokenUsage/updated', { threadId: thread.id, turnId: this.turnId, tokenUsage: { total: thread.totalUsage, last, modelContextWindow: this.contextWindow } });
    this.emit('account/rateLimits/updated', rateLimitsNotification(this.thread.rateLimits));
  }

  /** Reference behaviour: each family's snapshot replaces the last one (keeping credits and plan it lacks). */
  private recordRateLimits(snapshots: readonly RateLimitSnapshot[]): void {
    for (const snapshot of snapshots) this.thread.rateLimits = mergeRateLimits(this.thread.rateLimits, snapshot);
  }

  private finishTurn(status: 'completed' | 'interrupted' | 'failed', error: JsonObject | null): number {
    const now = this.deps.clock.nowMs();
    const turn = this.active.turn;
    turn.status = status;
    turn.error = error;
    turn.completedAtMs = now;
    turn.durationMs = now - (turn.startedAtMs ?? now);
    return now;
  }

  private async complete(): Promise<void> {
    const { thread } = this;
    const now = this.finishTurn('completed', null);
    const turn = this.active.turn;
    await this.append([lines.taskCompleteLine(this.turnId, this.lastAgentMessage, turn.startedAtMs ?? now, now, this.firstTokenMs)]);
    await thread.writer?.sync();
    thread.active = null;
    this.setStatus({ type: 'idle' });
    const items = this.finalAgentItem ? [this.finalAgentItem] : [];
    this.emit('turn/completed', { threadId: thread.id, turn: renderTurn({ ...turn, items, itemsView: 'summary' }) });
    this.bookkeep(true);
  }

  private async interrupted(): Promise<void> {
    const { thread } = this;
    const now = this.finishTurn('interrupted', null);
    const turn = this.active.turn;
    const notice = lines.messagePayload(`msg_${this.deps.ids.uuid7()}`, 'user', TURN_ABORTED_NOTICE, this.turnId);
    thread.modelInput.push(stripMeta(notice));
    const last = thread.lastUsage;
    const usage = this.interruptedMidResponse ? [lines.tokenCountLine(last === null ? null : { total: thread.totalUsage, last }, this.contextWindow, thread.rateLimits)] : [];
    await this.safeAppend([...usage, lines.responseItemLine(notice, ++thread.historySequence), lines.turnAbortedLine(this.turnId, turn.startedAtMs ?? now, now)]);
    thread.active = null;
    this.setStatus({ type: 'idle' });
    this.emit('turn/completed', { threadId: thread.id, turn: renderTurn({ ...turn, items: [], itemsView: 'notLoaded' }) });
    for (const send of this.active.afterCompletion?.splice(0) ?? []) send();
    this.bookkeep(false);
  }

  private async failed(info: ModelErrorInfo): Promise<void> {
    const { thread } = this;
    const error = turnError(info, info.message, info.codexErrorInfo, null);
    const now = this.finishTurn('failed', error);
    const startedAtMs = this.active.turn.startedAtMs ?? now;
    // Reference behaviour: a usage-limit 429 records its headers' rate limits (a `token_count` line with the
    // thread's usage so far) and reports them before the error.
    if (info.rateLimits) {
      thread.rateLimits = mergeRateLimits(thread.rateLimits, info.rateLimits);
      const last = thread.lastUsage;
      await this.safeAppend([lines.tokenCountLine(last === null ? null : { total: thread.totalUsage, last }, this.contextWindow, thread.rateLimits)]);
      if (last !== null) this.emit('thread/tokenUsage/updated', { threadId: thread.id, turnId: this.turnId, tokenUsage: { total: thread.totalUsage, last, modelContextWindow: this.contextWindow } });
      this.emit('account/rateLimits/updated', rateLimitsNotification(thread.rateLimits));
    }
    await this.safeAppend([lines.taskCompleteLine(this.turnId, this.lastAgentMessage, startedAtMs, now, this.firstTokenMs, info)]);
    if (info.afterHttpOk) this.emit('account/rateLimits/updated', rateLimitsNotification(this.thread.rateLimits));
    thread.active = null;
    this.setStatus({ type: 'systemError' });
    this.emit('error', { error, willRetry: false, threadId: thread.id, turnId: this.turnId });
    this.emit('turn/completed', { threadId: thread.id, turn: renderTurn({ ...this.active.turn, items: [], itemsView: 'notLoaded' }) });
    this.bookkeep(false);
  }

  /** Ending a turn must not fail because the disk did (ENOSPC): the client still gets its turn/completed. */
  private async safeAppend(batch: NewRolloutLine[]): Promise<void> {
    try {
      await this.append(batch);
    } catch (err) {
      this.deps.log.error({ err, threadId: this.thread.id }, 'failed to append to rollout');
    }
  }

  /**
   * The turn's index updates, after `turn/completed` is queued: both are synchronous SQLite writes, so they still
   * finish before the client can read that message, but off the path that produces it. The projection is
   * chained per thread so turns project in order even when its rare file re-read goes async.
   */
  private bookkeep(completed: boolean): void {
    this.recordInIndex(completed);
    const { thread } = this;
    if (!thread.materialized || !this.deps.projector) return;
    const lines = this.appended.splice(0);
    const projector = this.deps.projector;
    thread.projection = thread.projection.then(() => projector.afterAppend(thread, lines));
  }

  private indexMaterialized(): void {
    this.indexCall(() => this.deps.stateDb?.upsertThread(indexRowOf(this.thread, this.deps.clock.nowMs())));
  }

  private recordInIndex(completed: boolean): void {
    const { thread } = this;
    if (!thread.materialized) return;
    this.indexCall(() => {
      this.deps.stateDb?.recordTurn({ threadId: thread.id, updatedAtMs: thread.updatedAtMs, recencyAtMs: thread.recencyAtMs, tokensUsed: thread.totalUsage.totalTokens, model: thread.settings.model, firstUserMessage: thread.preview || null });
      if (completed) this.deps.stateDb?.recordCompletedTurn(thread.id, this.turnId, this.deps.ids.uuid4());
    });
    // The search index follows every turn: this turn's visible texts are appended (or the whole thread indexed
    // when the index has not seen it yet). Its own failures are logged by the index, never thrown.
    const search = this.deps.stateDb?.search;
    if (search) {
      const turn = this.active.turn;
      search.indexTurn({
        threadId: thread.id,
        preview: thread.preview,
        name: thread.name,
        texts: visibleTextsOfTurns([turn]),
        allTexts: () => visibleTextsOfTurns(thread.turns.includes(turn) ? thread.turns : [...thread.turns, turn]),
      });
    }
  }

  private indexCall(call: () => void): void {
    try {
      call();
    } catch (err) {
      this.deps.log.warn({ err }, 'state db update failed; the rollout stays the truth');
    }
  }
}

export function turnError(info: Pick<ModelErrorInfo, 'additionalDetails'>, message: string, codexErrorInfo: unknown, details: string | null = info.additionalDetails): JsonObject {
  return { message, codexErrorInfo, additionalDetails: details, misalignment: null };
}

function isAbort(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'AbortError';
}

function userContent(input: JsonObject): JsonObject {
  if (input['type'] === 'text') return { type: 'text', text: input['text'], text_elements: [] };
  return input;
}

function messageText(item: JsonObject): string | null {
  const content = item['content'];
  if (!Array.isArray(content)) return null;
  const texts = content.filter((c): c is JsonObject => typeof c === 'object' && c !== null && typeof (c as JsonObject)['text'] === 'string').map((c) => c['text'] as string);
  return texts.length > 0 ? texts.join('') : null;
}

function stripMeta(payload: JsonObject): JsonObject {
  const { internal_chat_message_metadata_passthrough: _m, ...rest } = payload;
  return rest;
}
