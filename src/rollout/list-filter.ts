import type { IndexListQuery } from './thread-index.js';
import type { RolloutSummary, SessionSource } from './types.js';

/** Sources listed when a query names none: the interactive ones (SPEC §4.8). */
export const INTERACTIVE_SOURCE_KINDS: readonly string[] = ['cli', 'vscode'];

/** The `ThreadSourceKind` of a stored source: plain strings as they are, sub-agents as `subAgent…` kinds. */
export function sourceKindsOf(source: SessionSource): string[] {
  if (typeof source === 'string') return [source];
  const subagent = source['subagent'];
  if (subagent === undefined) return ['unknown'];
  const kinds = ['subAgent'];
  if (typeof subagent === 'string') kinds.push(`subAgent${capitalize(subagent)}`);
  else if (typeof subagent === 'object' && subagent !== null) {
    for (const key of Object.keys(subagent)) kinds.push(`subAgent${key.split('_').map(capitalize).join('')}`);
  }
  return kinds;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The filters of a list query applied to one summary; the DB path applies the same rules in SQL. */
export function matchesListFilters(summary: RolloutSummary, query: IndexListQuery): boolean {
  if (query.requirePreview && summary.preview === '') return false;
  const wanted = query.sourceKinds.length > 0 ? query.sourceKinds : INTERACTIVE_SOURCE_KINDS;
  if (!sourceKindsOf(summary.source).some((kind) => wanted.includes(kind))) return false;
  if (query.modelProviders && query.modelProviders.length > 0 && !query.modelProviders.includes(summary.modelProvider ?? '')) return false;
  if (query.cwds && query.cwds.length > 0 && !query.cwds.includes(summary.cwd)) return false;
  if (query.searchTerm && !summary.preview.includes(query.searchTerm)) return false;
  return true;
}

/** The sort key of a summary in unix ms. */
export function sortKeyMs(summary: RolloutSummary, key: IndexListQuery['sortKey']): number {
  if (key === 'updated_at') return summary.updatedAtMs;
  if (key === 'recency_at') return summary.recencyAtMs;
  return summary.createdAtMs;
}

/** Compares (key, id) pairs in the query's direction; negative when `a` comes first. */
export function comparePosition(a: { keyMs: number; id: string }, b: { keyMs: number; id: string }, direction: 'asc' | 'desc'): number {
  const sign = direction === 'asc' ? 1 : -1;
  if (a.keyMs !== b.keyMs) return sign * (a.keyMs - b.keyMs);
  return sign * (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
