/**
 * The tool calls of one turn (issue 14): each `function_call` / `custom_tool_call` the model outputs is recorded
 * in the rollout and the history as the reference records it, run through the thread's toolset behind the calls
 * before it, and its output appended (`function_call_output` / `custom_tool_call_output`), so the next model
 * request carries the whole exchange. No call starts once the turn is interrupted.
 */
import type { NewRolloutLine } from '../rollout/types.js';
import type { Clock } from '../support/clock.js';
import type { IdSource } from '../support/ids.js';
import type { JsonObject } from '../support/json-values.js';
import type { Logger } from '../support/logger.js';
import type { ToolCall, Toolset } from '../tools/tool.js';
import type { TurnToolContext } from './tool-context.js';
import type { ActiveTurn, LoadedThread } from './loaded-thread.js';
import * as lines from './rollout-lines.js';

export interface ToolCallsDeps {
  clock: Clock;
  ids: IdSource;
  log: Logger;
  toolset: Toolset | null;
  /** Names of the tools offered to the model in this turn: a call to any other is unsupported. */
  offered: ReadonlySet<string>;
  context: TurnToolContext;
  append(lines: NewRolloutLine[]): Promise<void>;
}

/** Reference behaviour: the output of a call to a tool it does not run (`unsupported call: nope_tool`). */
export function unsupportedCallText(call: Pick<ToolCall, 'type' | 'name'>): string {
  return call.type === 'custom_tool_call' ? `unsupported custom tool call: ${call.name}` : `unsupported call: ${call.name}`;
}

/** The output items' ids (reference: `fco_<uuid7>`, `ctco_<uuid7>`) and the calls' when the model gave none. */
const ID_PREFIX = { function_call: 'fc', custom_tool_call: 'ctc', function_call_output: 'fco', custom_tool_call_output: 'ctco' } as const;

/** Reference behaviour: an output item is recorded with this metadata besides its history sequence. */
const FALLBACK_TOKEN_LIMIT = 12_000;

export class TurnToolCalls {
  private chain: Promise<void> = Promise.resolve();
  private count = 0;

  constructor(
    private readonly thread: LoadedThread,
    private readonly active: ActiveTurn,
    private readonly deps: ToolCallsDeps,
  ) {}

  /** Calls accepted in this turn so far. */
  get accepted(): number {
    return this.count;
  }

  /** Records a call the model made (the `output_item.done` item) and starts it behind the previous ones. */
  async accept(item: JsonObject): Promise<void> {
    const call = toolCallOf(item);
    const payload = callPayload(item, call, this.deps.ids, this.active.turn.id);
    this.thread.modelInput.push(withoutPassthrough(payload));
    await this.deps.append([lines.responseItemLine(payload, ++this.thread.historySequence)]);
    this.count += 1;
    this.chain = this.chain.then(() => this.run(call));
  }

  /** Waits for every accepted call to end and its output to be recorded; rejects when recording failed. */
  async drain(): Promise<void> {
    await this.chain;
  }

  /** Like `drain`, never rejecting: used when the turn ends anyway (interrupt, failure). */
  async settle(): Promise<void> {
    await this.chain.catch((err: unknown) => this.deps.log.error({ err, threadId: this.thread.id }, 'tool call failed to record'));
  }

  private async run(call: ToolCall): Promise<void> {
    // A call left over when the turn is interrupted never starts, but gets its output: a call without one would make
    // the next request invalid (the Responses API wants an output for every call in the input).
    const startedMs = this.deps.clock.nowMs();
    let output = this.active.controller.signal.aborted ? '' : await this.execute(call);
    // Reference behaviour (observed): a call the interrupt cut short tells the model so, with its wall time.
    if (this.active.controller.signal.aborted) output = abortedOutput(this.deps.clock.nowMs() - startedMs);
    const type = call.type === 'function_call' ? 'function_call_output' : 'custom_tool_call_output';
    const payload: JsonObject = {
      type,
      id: `${ID_PREFIX[type]}_${this.deps.ids.uuid7()}`,
      call_id: call.callId,
      output,
      internal_chat_message_metadata_passthrough: { turn_id: this.active.turn.id, create_time: this.deps.clock.nowMs() / 1000 },
    };
    this.thread.modelInput.push(withoutPassthrough(payload));
    const line = lines.responseItemLine(payload, ++this.thread.historySequence);
    line.metadata = { ...line.metadata, fallback_token_limit_override: FALLBACK_TOKEN_LIMIT };
    await this.deps.append([line]);
  }

  /** An approval answered `cancel` ends the turn as interrupted, as the reference does. */
  private abortTurn(): void {
    this.active.interrupted = true;
    this.active.controller.abort();
  }

  private async execute(call: ToolCall): Promise<string> {
    const handler = this.deps.offered.has(call.name) ? this.deps.toolset?.handler(call.name) : undefined;
    const kindMatches = handler && (handler.type === 'custom') === (call.type === 'custom_tool_call');
    if (!handler || !kindMatches) return unsupportedCallText(call);
    try {
      const result = await handler.handle(call, this.deps.context).finally(() => this.deps.context.settleFlags());
      if (result.abortTurn) this.abortTurn();
      return result.output;
    } catch (err) {
      if ((err as Error)?.name === 'ApprovalCancelledError') {
        this.abortTurn();
        return abortedOutput(0);
      }
      // Handlers report bad input as output text; a throw is our bug: tell the model, keep the turn going.
      this.deps.log.error({ err, threadId: this.thread.id, tool: call.name }, 'tool handler threw');
      return `tool ${call.name} failed: ${(err as Error)?.message ?? String(err)}`;
    }
  }
}

/** Reference behaviour: the output of a call interrupted with its turn (`Wall time: 0.2 seconds\naborted by user`). */
export function abortedOutput(wallMs: number): string {
  return `Wall time: ${Math.round(Math.max(0, wallMs) / 100) / 10} seconds\naborted by user`;
}

export function isToolCallItem(item: JsonObject): boolean {
  return item['type'] === 'function_call' || item['type'] === 'custom_tool_call';
}

function toolCallOf(item: JsonObject): ToolCall {
  const custom = item['type'] === 'custom_tool_call';
  const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
  return {
    type: custom ? 'custom_tool_call' : 'function_call',
    name: text(item['name']),
    callId: text(item['call_id'] ?? item['id']),
    input: custom ? text(item['input']) : text(item['arguments']),
  };
}

/** The call as the reference records it: its keys in the reference's order, an id when the model gave none. */
function callPayload(item: JsonObject, call: ToolCall, ids: IdSource, turnId: string): JsonObject {
  const id = typeof item['id'] === 'string' && item['id'] !== '' ? item['id'] : `${ID_PREFIX[call.type]}_${ids.uuid7()}`;
  const passthrough = { internal_chat_message_metadata_passthrough: { turn_id: turnId } };
  if (call.type === 'custom_tool_call') {
    return { type: 'custom_tool_call', id, call_id: call.callId, name: call.name, input: call.input, ...passthrough };
  }
  return { type: 'function_call', id, name: call.name, arguments: call.input, call_id: call.callId, ...passthrough };
}

function withoutPassthrough(payload: JsonObject): JsonObject {
  const { internal_chat_message_metadata_passthrough: _m, ...rest } = payload;
  return rest;
}
