import { isRecord } from '../support/json-values.js';
import type { SessionSource, SpawnOrigin } from './types.js';

/**
 * The one mapping from a stored `session_meta.source` to the `ThreadSourceKind` a `thread/list` filter names.
 * The filesystem listing and the state DB's SQL listing both use it, so a filter gives the same threads
 * whichever path answers.
 *
 * Reference behaviour (codex-rs/app-server/src/filters.rs, `source_kind_matches`): `appServer` is the `mcp`
 * source; `subAgentOther` is only `SubAgentSource::Other` (a `{"subagent":{"other":…}}` source), so a
 * `memory_consolidation` sub-agent is listed under `subAgent` alone; a plain source the reference does not know
 * deserialises as `SessionSource::Unknown` (`#[serde(other)]`) and is the `unknown` kind, while `custom` and
 * `internal` sources (and any other object) match no kind at all.
 */

/** Sources listed when a query names none: the interactive ones (SPEC §4.8). */
export const INTERACTIVE_SOURCE_KINDS: readonly string[] = ['cli', 'vscode'];

/** The kinds `subAgent` stands for besides itself: every sub-agent source matches `subAgent`. */
const SUB_AGENT_KINDS: readonly string[] = ['subAgentReview', 'subAgentCompact', 'subAgentThreadSpawn', 'subAgentOther'];

/**
 * The most specific kind of a source, or null when no filter names it. Sub-agents with no kind of their own
 * (`memory_consolidation`) are `subAgent`; `expandSourceKinds` makes a `subAgent` filter include the specific ones.
 */
export function sourceKindOf(source: SessionSource): string | null {
  switch (source) {
    case 'cli':
    case 'vscode':
    case 'exec':
      return source;
    // Older builds of this server and the v2 wire spell the MCP source `appServer`.
    case 'mcp':
    case 'appServer':
      return 'appServer';
  }
  if (!isRecord(source)) return 'unknown';
  const subAgent = source['subagent'] ?? source['subAgent'];
  if (subAgent === undefined) return null;
  if (subAgent === 'review') return 'subAgentReview';
  if (subAgent === 'compact') return 'subAgentCompact';
  if (isRecord(subAgent) && 'thread_spawn' in subAgent) return 'subAgentThreadSpawn';
  if (isRecord(subAgent) && 'other' in subAgent) return 'subAgentOther';
  return 'subAgent';
}

/** A `sourceKinds` filter as the set of `sourceKindOf` values it admits (empty → the interactive kinds). */
export function expandSourceKinds(kinds: readonly string[]): string[] {
  const expanded = new Set(kinds.length === 0 ? INTERACTIVE_SOURCE_KINDS : kinds);
  if (expanded.has('subAgent')) for (const kind of SUB_AGENT_KINDS) expanded.add(kind);
  return [...expanded];
}

/** Whether a source passes a `sourceKinds` filter. */
export function matchesSourceKinds(source: SessionSource, kinds: readonly string[]): boolean {
  const kind = sourceKindOf(source);
  return kind !== null && expandSourceKinds(kinds).includes(kind);
}

/** Sub-agent lineage from a `session_meta.source` (`{"subagent":{"thread_spawn":{…}}}`), or null. */
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
