import type { SessionSource, SpawnOrigin } from '../rollout/types.js';
import { isRecord } from '../support/json-values.js';

/** The `sourceKinds` the interactive listing uses when a client asks for none. */
export const INTERACTIVE_SOURCE_KINDS: readonly string[] = ['cli', 'vscode'];

const SUB_AGENT_KINDS = ['subAgentReview', 'subAgentCompact', 'subAgentThreadSpawn', 'subAgentOther'];

/** `threads.source` text: plain sources as they are, sub-agent objects as their JSON. */
export function encodeSource(source: SessionSource): string {
  return typeof source === 'string' ? source : JSON.stringify(source);
}

/** Inverse of `encodeSource`; text that is not a JSON object stays a plain source string. */
export function decodeSource(text: string): SessionSource {
  if (!text.startsWith('{')) return text;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : text;
  } catch {
    return text;
  }
}

/**
 * The `ThreadSourceKind` of a stored source, as the reference maps it: `mcp` is `appServer`, sub-agent
 * sources split by variant (`memory_consolidation` and `other` are `subAgentOther`), anything else `unknown`.
 */
export function sourceKindOf(text: string): string {
  switch (text) {
    case 'cli':
    case 'vscode':
    case 'exec':
      return text;
    case 'mcp':
    case 'appServer':
      return 'appServer';
  }
  const source = decodeSource(text);
  if (!isRecord(source)) return 'unknown';
  const subAgent = source['subagent'] ?? source['subAgent'];
  if (subAgent === undefined) return 'unknown';
  if (subAgent === 'review') return 'subAgentReview';
  if (subAgent === 'compact') return 'subAgentCompact';
  if (isRecord(subAgent) && 'thread_spawn' in subAgent) return 'subAgentThreadSpawn';
  return 'subAgentOther';
}

/** Expands a `sourceKinds` filter to the concrete kinds `sourceKindOf` yields (empty → interactive). */
export function expandSourceKinds(kinds: readonly string[]): string[] {
  const requested = kinds.length === 0 ? INTERACTIVE_SOURCE_KINDS : kinds;
  const expanded = new Set(requested);
  if (expanded.has('subAgent')) for (const kind of SUB_AGENT_KINDS) expanded.add(kind);
  return [...expanded];
}

/** Sub-agent lineage from a decoded `session_meta.source` (`{"subagent":{"thread_spawn":{…}}}`). */
export function spawnOriginOf(source: SessionSource): SpawnOrigin | null {
  if (!isRecord(source)) return null;
  const subAgent = source['subagent'] ?? source['subAgent'];
  const spawn = isRecord(subAgent) ? subAgent['thread_spawn'] : undefined;
  if (!isRecord(spawn) || typeof spawn['parent_thread_id'] !== 'string') return null;
  return {
    parentThreadId: spawn['parent_thread_id'],
    depth: typeof spawn['depth'] === 'number' ? spawn['depth'] : null,
    agentPath: stringOrNull(spawn['agent_path']),
    agentNickname: stringOrNull(spawn['agent_nickname']),
    agentRole: stringOrNull(spawn['agent_role']),
  };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
