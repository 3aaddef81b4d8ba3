import { isRecord } from '../support/json-values.js';
import type { SessionSource } from '../rollout/types.js';

/**
 * Builders of the wire objects the server emits (SPEC §3). Objects are built as literals in the reference's
 * key order, because clients that compare JSON text (and our own tests) see that order.
 */

export type JsonObject = Record<string, unknown>;
export type ThreadStatusWire = { type: 'notLoaded' } | { type: 'idle' } | { type: 'systemError' } | { type: 'active'; activeFlags: string[] };

export interface ThreadFacts {
  id: string;
  loaded: boolean;
  cwd: string;
  forkedFromId: string | null;
  parentThreadId: string | null;
  preview: string;
  ephemeral: boolean;
  modelProvider: string | null;
  model: string | null;
  createdAtMs: number;
  updatedAtMs: number;
  recencyAtMs: number;
  status: ThreadStatusWire;
  path: string | null;
  cliVersion: string;
  originator: string;
  source: SessionSource;
  agentNickname: string | null;
  agentRole: string | null;
  name: string | null;
  /** `canAcceptDirectInput`: true for loaded threads in start/resume/fork/read, null elsewhere. */
  directInput: boolean | null;
  turns: JsonObject[];
}

export function threadWire(t: ThreadFacts): JsonObject {
  return {
    id: t.id,
    environments: t.loaded ? [{ environmentId: 'local', cwd: t.cwd, runtimeWorkspaceRoots: [t.cwd] }] : null,
    extra: null,
    sessionId: t.id,
    forkedFromId: t.forkedFromId,
    attachedToThreadId: null,
    parentThreadId: t.parentThreadId,
    preview: t.preview,
    ephemeral: t.ephemeral,
    section: null,
    sectionEnteredAt: null,
    projectId: null,
    historyMode: 'paginated',
    modelProvider: t.modelProvider,
    model: t.model,
    reasoningEffort: null,
    createdAt: seconds(t.createdAtMs),
    updatedAt: seconds(t.updatedAtMs),
    recencyAt: seconds(t.recencyAtMs),
    status: t.status,
    path: t.path,
    cwd: t.cwd,
    cliVersion: t.cliVersion,
    originator: t.originator,
    source: sourceWire(t.source),
    canAcceptDirectInput: t.directInput,
    threadSource: null,
    agentNickname: t.agentNickname,
    agentRole: t.agentRole,
    gitInfo: null,
    name: t.name,
    daybreakEnabled: null,
    turns: t.turns,
  };
}

/** Rollouts spell sub-agent sources `{"subagent":…}`; the v2 wire spells them `{"subAgent":…}`. */
export function sourceWire(source: SessionSource): unknown {
  if (isRecord(source) && 'subagent' in source) return { subAgent: source['subagent'] };
  return source;
}

export type TurnStatus = 'inProgress' | 'completed' | 'interrupted' | 'failed';
export type ItemsView = 'notLoaded' | 'summary' | 'full';

export interface TurnFacts {
  id: string;
  items: JsonObject[];
  itemsView: ItemsView;
  status: TurnStatus;
  error: JsonObject | null;
  startedAtMs: number | null;
  completedAtMs: number | null;
  durationMs: number | null;
}

export function turnWire(t: TurnFacts): JsonObject {
  return {
    id: t.id,
    rootTurnId: t.id,
    items: t.items,
    itemsView: t.itemsView,
    status: t.status,
    error: t.error,
    startedAt: t.startedAtMs === null ? null : seconds(t.startedAtMs),
    completedAt: t.completedAtMs === null ? null : seconds(t.completedAtMs),
    durationMs: t.durationMs,
  };
}

export function userMessageItem(id: string, content: JsonObject[], startedAtMs: number, completedAtMs: number | null): JsonObject {
  return { type: 'userMessage', id, clientId: null, content, startedAtMs, completedAtMs };
}

export function agentMessageItem(id: string, text: string, startedAtMs: number, completedAtMs: number | null): JsonObject {
  return { type: 'agentMessage', moderation: null, id, text, phase: null, memoryCitation: null, delivery: null, questions: null, startedAtMs, completedAtMs };
}

export function reasoningItem(id: string, summary: string[], content: string[], startedAtMs: number, completedAtMs: number | null): JsonObject {
  return { type: 'reasoning', id, summary, content, startedAtMs, completedAtMs };
}

export interface TokenBreakdown {
  totalTokens: number;
  inputTokens: number;
  cachedInputTokens: number;
  cacheWriteInputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
}

export const ZERO_TOKENS: TokenBreakdown = { totalTokens: 0, inputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 0, reasoningOutputTokens: 0 };

export function addTokens(a: TokenBreakdown, b: TokenBreakdown): TokenBreakdown {
  return {
    totalTokens: a.totalTokens + b.totalTokens,
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    cacheWriteInputTokens: a.cacheWriteInputTokens + b.cacheWriteInputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    reasoningOutputTokens: a.reasoningOutputTokens + b.reasoningOutputTokens,
  };
}

/** Rollout (snake_case) usage ↔ wire breakdown. */
export function tokensFromRollout(u: unknown): TokenBreakdown {
  const r = isRecord(u) ? u : {};
  const n = (k: string) => (typeof r[k] === 'number' ? (r[k] as number) : 0);
  return {
    totalTokens: n('total_tokens'),
    inputTokens: n('input_tokens'),
    cachedInputTokens: n('cached_input_tokens'),
    cacheWriteInputTokens: n('cache_write_input_tokens'),
    outputTokens: n('output_tokens'),
    reasoningOutputTokens: n('reasoning_output_tokens'),
  };
}

export function tokensToRollout(t: TokenBreakdown): JsonObject {
  return {
    input_tokens: t.inputTokens,
    cached_input_tokens: t.cachedInputTokens,
    cache_write_input_tokens: t.cacheWriteInputTokens,
    output_tokens: t.outputTokens,
    reasoning_output_tokens: t.reasoningOutputTokens,
    total_tokens: t.totalTokens,
  };
}

export function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}
