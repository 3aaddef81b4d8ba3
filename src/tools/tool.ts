/**
 * The contract between the turn runner (src/threads/turn-runner.ts) and the tools it runs (issue 14).
 * A tool knows nothing of JSON-RPC, rollouts or connections: it gets a `ToolContext` from the runner, which turns
 * its calls into notifications, rollout lines and approval requests.
 *
 * Folder layout: tools/exec/ (exec_command, write_stdin: command sessions), tools/apply-patch/ (the apply_patch
 * envelope, its application and diffs), tools/sandbox/ (bubblewrap argv, writable roots, environment), and the
 * registry that offers the reference's tool specs per model and dispatches a call by name.
 */
import type { JsonObject } from '../support/json-values.js';
import type { ApprovalDecision, ApprovalRequest } from './approval.js';
import type { SandboxPolicy } from './sandbox/policy.js';

/** The approval policy as 0.169 knows it (`untrusted` is refused at config load). */
export type ApprovalPolicy =
  | 'never'
  | 'on-request'
  | 'on-failure'
  | { granular: { sandbox_approval: boolean; rules: boolean; skill_approval: boolean; request_permissions: boolean; mcp_elicitations: boolean } };

/** One tool call from the model's output (a `function_call` or a freeform `custom_tool_call` response item). */
export interface ToolCall {
  type: 'function_call' | 'custom_tool_call';
  name: string;
  callId: string;
  /** `arguments` (JSON text, not yet parsed: malformed JSON is reported to the model) or the custom tool's `input`. */
  input: string;
}

/** What a tool sees of the running turn. Every method is safe to call after the turn was interrupted (they no-op). */
export interface ToolContext {
  readonly threadId: string;
  readonly turnId: string;
  /** The turn's model slug (its metadata decides e.g. how command output is truncated). */
  readonly model: string;
  /** The thread's cwd (absolute). */
  readonly cwd: string;
  readonly sandbox: SandboxPolicy;
  readonly approvalPolicy: ApprovalPolicy;
  /** Aborted when the turn is interrupted: stop, kill what you started, resolve quickly. */
  readonly signal: AbortSignal;
  /** The server's environment, as main read it (tools strip what the reference strips). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly codexHome: string;
  nowMs(): number;
  /** A fresh id (uuid v7 text) for items. */
  newId(): string;
  /** `item/started` with this item (a v2 ThreadItem: commandExecution, fileChange, …); threadId/turnId added by the runner. */
  itemStarted(item: JsonObject): void;
  /** A streaming notification about an item, e.g. `item/commandExecution/outputDelta` {itemId, delta}; threadId/turnId added. */
  itemEvent(method: string, params: JsonObject): void;
  /** `item/completed` with the item's final state. */
  itemCompleted(item: JsonObject): void;
  /** Appends `event_msg` payloads (exec_command_end, patch_apply_end, …) to the rollout, as the reference records them. */
  record(eventMessages: JsonObject[]): Promise<void>;
  /**
   * Asks the client (the runner handles `waitingOnApproval`, `acceptForSession` memory and `serverRequest/resolved`).
   * Never rejects; an interrupted turn resolves `cancel`.
   */
  approve(request: ApprovalRequest): Promise<ApprovalDecision>;
}

/** The tool's answer to the model: the `output` of the `function_call_output` / `custom_tool_call_output` item. */
export interface ToolResult {
  output: string;
  /**
   * The client answered an approval `cancel`: the reference then ends the whole turn as interrupted. The runner
   * aborts the turn (this output is still recorded, as for any call the interrupt cut short).
   */
  abortTurn?: boolean;
}

export interface ToolHandler {
  readonly name: string;
  readonly type: 'function' | 'custom';
  /** Never throws for bad input from the model: malformed arguments become an output text the reference would send. */
  handle(call: ToolCall, cx: ToolContext): Promise<ToolResult>;
}

/**
 * The tools of one loaded thread. Stateful (command sessions live across calls and turns); `close()` kills every
 * process it started (thread unloaded, server shutdown).
 */
export interface Toolset {
  handler(name: string): ToolHandler | undefined;
  close(): Promise<void>;
  /** After each model response whose tool calls have ended (the reference re-sends `turn/diff/updated` then). */
  afterResponse?(threadId: string, turnId: string): void;
  /** The turn is over: drop what was kept for it (its diff tracker). */
  turnEnded?(turnId: string): void;
}
