import type { IndexListQuery } from './thread-index.js';
import { matchesSourceKinds } from './source-kind.js';
import type { RolloutSummary } from './types.js';

/** The filters of a list query applied to one summary; the DB path applies the same rules in SQL. */
export function matchesListFilters(summary: RolloutSummary, query: IndexListQuery): boolean {
  if (query.requirePreview && summary.preview === '') return false;
  if (!matchesSourceKinds(summary.source, query.sourceKinds)) return false;
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
