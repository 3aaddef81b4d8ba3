import type { NewRolloutLine } from '../rollout/types.js';
import type { JsonObject } from '../support/json-values.js';
import { errorInfoToRollout } from './error-info.js';
import { tokensToRollout, type TokenBreakdown } from './tokens.js';
import { approvalPolicyLabel, type WorkspaceWriteSettings } from './tool-policy.js';
import type { ApprovalPolicy } from '../tools/tool.js';
import type { RateLimitSnapshot } from '../model/rate-limits.js';
import { rateLimitsRollout } from './rate-limit-render.js';

/**
 * Builders of the rollout lines a turn writes, in the 0.169.0 vocabulary (SPEC §7), so the reference and
 * usage tools (token counts) can read our files. Payload key order follows the reference's files.
 */

export const BASE_INSTRUCTIONS =
  'You are a coding agent running in codex-app-server-ts, a Codex-compatible app server. Be concise, precise and helpful.';

export interface ThreadSettings {
  threadId: string;
  createdAtMs: number;
  cwd: string;
  originator: string;
  cliVersion: string;
  source: unknown;
  modelProvider: string;
  model: string;
  approvalPolicy: ApprovalPolicy;
  /** `workspace-write`'s extra roots and switches (absent: none, the reference's defaults). */
  workspaceWrite?: WorkspaceWriteSettings;
  sandboxMode: string;
  /** The sandbox is the built-in default (`:read-only` profile), chosen by neither config.toml nor the request. */
  defaultPermissionProfile?: boolean;
  windowId: string;
}

const READ_ONLY_PROFILE = {
  type: 'managed',
  file_system: { type: 'restricted', entries: [{ path: { type: 'special', value: { kind: 'root' } }, access: 'read' }] },
  network: 'restricted',
};

export function sessionMetaLine(s: ThreadSettings, extra: JsonObject = {}): NewRolloutLine {
  return {
    type: 'session_meta',
    payload: {
      account_scoped: true,
      session_id: s.threadId,
      id: s.threadId,
      timestamp: new Date(s.createdAtMs).toISOString(),
      cwd: s.cwd,
      runtime_workspace_roots: [s.cwd],
      originator: s.originator,
      cli_version: s.cliVersion,
      source: s.source,
      model_provider: s.modelProvider,
      base_instructions: { text: BASE_INSTRUCTIONS, provenance: { type: 'model', model: s.model } },
      history_mode: 'paginated',
      context_window: { window_id: s.windowId },
      ...extra,
    },
  };
}

export function taskStartedLine(turnId: string, startedAtMs: number, contextWindow: number): NewRolloutLine {
  return {
    type: 'event_msg',
    payload: {
      type: 'task_started',
      turn_attribution: { turn_id: turnId, turn_trigger: null, parent_turn_id: null, initiating_agent_path: null, root_turn_id: turnId },
      turn_id: turnId,
      root_turn_id: turnId,
      started_at: Math.floor(startedAtMs / 1000),
      model_context_window: contextWindow,
      collaboration_mode_kind: 'default',
    },
  };
}

/** A conversation message as recorded (`response_item`) and as sent to the model. */
export function messagePayload(id: string, role: string, text: string, turnId: string): JsonObject {
  const assistant = role === 'assistant';
  return {
    type: 'message',
    ...(assistant ? { status: 'completed' } : {}),
    id,
    role,
    content: [{ type: assistant ? 'output_text' : 'input_text', text, ...(assistant ? { annotations: [] } : {}) }],
    internal_chat_message_metadata_passthrough: { turn_id: turnId },
  };
}

export function responseItemLine(payload: JsonObject, sequence: number): NewRolloutLine {
  return { type: 'response_item', payload, metadata: { history_sequence: sequence, sampled_through_sequence: 0, client_authored: false } };
}

export function environmentContextText(s: ThreadSettings, nowMs: number): string {
  return [
    '<environment_context>',
    `  <cwd>${s.cwd}</cwd>`,
    '  <shell>bash</shell>',
    `  <current_date>${new Date(nowMs).toISOString().slice(0, 10)}</current_date>`,
    '  <timezone>Etc/UTC</timezone>',
    `  <filesystem><workspace_roots><root>${s.cwd}</root></workspace_roots></filesystem>`,
    '</environment_context>',
  ].join('\n');
}

export function developerContextText(s: ThreadSettings): string {
  return `<permissions instructions>\nApproval policy: ${approvalPolicyLabel(s.approvalPolicy)}. Sandbox: ${s.sandboxMode}.\n</permissions instructions>`;
}

export function worldStateLine(s: ThreadSettings, nowMs: number): NewRolloutLine {
  return {
    type: 'world_state',
    payload: {
      full: true,
      state: {
        collaboration_mode: { mode: 'default', model: s.model },
        environments: { environments: { local: { cwd: s.cwd, status: 'available', shell: 'bash' } }, current_date: new Date(nowMs).toISOString().slice(0, 10), timezone: 'Etc/UTC' },
      },
    },
  };
}

export function turnContextLine(s: ThreadSettings, turnId: string): NewRolloutLine {
  return {
    type: 'turn_context',
    payload: {
      turn_id: turnId,
      root_turn_id: turnId,
      disabled_plugin_ids: [],
      cwd: s.cwd,
      approval_policy: s.approvalPolicy,
      approvals_reviewer: 'user',
      permission_profile: READ_ONLY_PROFILE,
      model: s.model,
      collaboration_mode: { mode: 'default', settings: { model: s.model, reasoning_effort: null, developer_instructions: null } },
      multi_agent_version: 'v1',
      realtime_active: false,
      summary: 'none',
      sandbox_policy: { type: s.sandboxMode },
    },
  };
}

export function threadSettingsAppliedLine(s: ThreadSettings): NewRolloutLine {
  return {
    type: 'event_msg',
    payload: {
      type: 'thread_settings_applied',
      thread_id: s.threadId,
      thread_settings: {
        model: s.model,
        model_provider_id: s.modelProvider,
        approval_policy: s.approvalPolicy,
        approvals_reviewer: 'user',
        // The reference requires these three when it projects the rollout into its paginated history
        // (without them it logs `missing field permission_profile` and skips the line).
        requested_approvals_reviewer: 'user',
        permission_profile: READ_ONLY_PROFILE,
        cwd: s.cwd,
        runtime_workspace_roots: [s.cwd],
        collaboration_mode: { mode: 'default', settings: { model: s.model, reasoning_effort: null, developer_instructions: null } },
        disabled_plugin_ids: [],
      },
    },
  };
}

export function itemCompletedLine(threadId: string, turnId: string, item: JsonObject, startedAtMs: number, completedAtMs: number): NewRolloutLine {
  return { type: 'event_msg', payload: { type: 'item_completed', thread_id: threadId, turn_id: turnId, item, started_at_ms: startedAtMs, completed_at_ms: completedAtMs } };
}

/** A `token_count` event line: the thread's usage (`null` before any model usage) and the empty rate limits. */
export function tokenCountLine(
  usage: { total: TokenBreakdown; last: TokenBreakdown } | null,
  contextWindow: number,
  rateLimits: RateLimitSnapshot | null = null,
  /** Reference behaviour: true only for the estimate a compaction records. */
  lastIncludesReasoning = false,
): NewRolloutLine {
  return {
    type: 'event_msg',
    payload: {
      type: 'token_count',
      info: usage === null ? null : { total_token_usage: tokensToRollout(usage.total), last_token_usage: tokensToRollout(usage.last), last_usage_includes_reasoning: lastIncludesReasoning, model_context_window: contextWindow },
      rate_limits: rateLimitsRollout(rateLimits),
    },
  };
}

export function tokenLines(threadId: string, turnId: string, responseId: string | null, last: TokenBreakdown, turnTotal: TokenBreakdown, threadTotal: TokenBreakdown, contextWindow: number, rateLimits: RateLimitSnapshot | null = null): NewRolloutLine[] {
  return [
    {
      type: 'token_usage_record',
      payload: {
        thread_id: threadId,
        turn_id: turnId,
        session_id: threadId,
        root_turn_id: turnId,
        response_id: responseId,
        usage: tokensToRollout(last),
        turn_token_usage: tokensToRollout(turnTotal),
        thread_token_usage: tokensToRollout(threadTotal),
      },
    },
    {
      type: 'event_msg',
      payload: {
        type: 'token_count',
        info: { total_token_usage: tokensToRollout(threadTotal), last_token_usage: tokensToRollout(last), last_usage_includes_reasoning: false, model_context_window: contextWindow },
        rate_limits: rateLimitsRollout(rateLimits),
      },
    },
  ];
}

/**
 * The end of a turn. A failed turn is recorded as the reference 0.169.0 does: the same `task_complete` carrying
 * `error` (message and the error info in the rollout's snake_case spelling), without `time_to_first_token_ms`
 * when no token came.
 */
export function taskCompleteLine(
  turnId: string,
  lastAgentMessage: string | null,
  startedAtMs: number,
  completedAtMs: number,
  firstTokenMs: number | null,
  error?: { message: string; codexErrorInfo: unknown },
): NewRolloutLine {
  return {
    type: 'event_msg',
    payload: {
      type: 'task_complete',
      root_turn_id: turnId,
      turn_id: turnId,
      last_agent_message: lastAgentMessage,
      ...(error ? { error: { message: error.message, codex_error_info: errorInfoToRollout(error.codexErrorInfo) } } : {}),
      started_at: Math.floor(startedAtMs / 1000),
      completed_at: Math.floor(completedAtMs / 1000),
      duration_ms: completedAtMs - startedAtMs,
      ...(error && firstTokenMs === null ? {} : { time_to_first_token_ms: firstTokenMs }),
    },
  };
}

export function turnAbortedLine(turnId: string, startedAtMs: number, completedAtMs: number): NewRolloutLine {
  return {
    type: 'event_msg',
    payload: {
      type: 'turn_aborted',
      root_turn_id: turnId,
      turn_id: turnId,
      reason: 'interrupted',
      started_at: Math.floor(startedAtMs / 1000),
      completed_at: Math.floor(completedAtMs / 1000),
      duration_ms: completedAtMs - startedAtMs,
    },
  };
}

