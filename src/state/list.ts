import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { IndexedThread, IndexListQuery, ListSortKey } from '../rollout/thread-index.js';
import { expandSourceKinds, sourceKindOf } from '../rollout/source-kind.js';
import { decodeSource, sourceText } from './source-text.js';
import { ROW_ROLLOUT_PATH, THREAD_COLUMNS, threadFromRow, type ThreadRow } from './thread-rows.js';
import { prepareOnUse, type Prepared } from './prepared.js';

/** SQL function name registered on our connection only; the schema never refers to it. */
const SOURCE_KIND_FUNCTION = 'codex_ts_source_kind';

/**
 * `sourceKindOf(decodeSource(sourceText(source)))` in SQL: the plain sources every listed row has are mapped here,
 * and only JSON objects (sub-agents) and non-text values call back into JS, a call per row scanned that a page of
 * plain sources then does not pay. Plain text not starting with `{` is never JSON to `decodeSource`, so it is a
 * plain source: `unknown` unless named.
 */
const SOURCE_KIND_SQL = `(CASE
        WHEN typeof(source) <> 'text' THEN ${SOURCE_KIND_FUNCTION}(source)
        WHEN source IN ('cli', 'vscode', 'exec') THEN source
        WHEN source IN ('mcp', 'appServer') THEN 'appServer'
        WHEN substr(source, 1, 1) = '{' THEN ${SOURCE_KIND_FUNCTION}(source)
        ELSE 'unknown'
      END)`;

const SORT_COLUMNS: Record<ListSortKey, string> = {
  created_at: 'created_at_ms',
  updated_at: 'updated_at_ms',
  recency_at: 'recency_at_ms',
};

interface ListParams {
  require_preview: number;
  providers: string | null;
  cwds: string | null;
  search: string | null;
  kinds: string;
  after_key: number | null;
  after_id: string | null;
  /** SQL `LIMIT`; negative: none. */
  limit: number;
}

/**
 * `thread/list` from the database alone (`useStateDbOnly`). One statement per sort key and direction,
 * prepared once, on its first use; list-valued filters are bound as JSON arrays so no SQL is built per call. Rows
 * are read raw (`ThreadRow`).
 */
export class ThreadLister {
  private readonly statements = new Map<string, Prepared<ListParams, ThreadRow>>();

  constructor(db: Database.Database) {
    db.function(SOURCE_KIND_FUNCTION, { deterministic: true }, (source: unknown) =>
      sourceKindOf(decodeSource(sourceText(source))),
    );
    for (const sortKey of Object.keys(SORT_COLUMNS) as ListSortKey[]) {
      for (const direction of ['asc', 'desc'] as const) {
        for (const archived of [false, true]) {
          this.statements.set(`${sortKey}:${direction}:${archived}`, prepareOnUse<ListParams, ThreadRow>(db, listSql(SORT_COLUMNS[sortKey], direction, archived), { raw: true }));
        }
      }
    }
  }

  /**
   * Rows in the query's order (sort key, then id, both in the query direction), starting after
   * `query.after`, skipping rows whose rollout file no longer exists, until `query.limit` rows are found.
   */
  list(query: IndexListQuery): IndexedThread[] {
    const statement = this.statements.get(`${query.sortKey}:${query.sortDirection}:${query.archived}`);
    if (!statement) throw new Error(`unsupported thread list order: ${query.sortKey} ${query.sortDirection}`);
    const limit = Math.max(0, Math.trunc(query.limit));
    if (limit === 0) return [];
    // Usually every row's file exists and the first `limit` rows are the page: one `all` call builds them (an
    // iterator costs a call into the addon per row). Only when one of them was skipped does the walk go on, as
    // one statement again (one snapshot of the table) without a limit.
    const first = statement.all(listParams(query, limit));
    const page = pageOf(first, limit);
    if (page.length === limit || first.length < limit) return page;
    return pageOf(statement.iterate(listParams(query, -1)), limit);
  }
}

/** The first `limit` rows whose rollout file exists. */
function pageOf(rows: Iterable<ThreadRow>, limit: number): IndexedThread[] {
  const page: IndexedThread[] = [];
  for (const row of rows) {
    // The file is the truth: a row whose file is gone is skipped (SPEC §8.3), and the next row fills its place.
    if (!existsSync(row[ROW_ROLLOUT_PATH])) continue;
    page.push(threadFromRow(row));
    if (page.length >= limit) break;
  }
  return page;
}

function listParams(query: IndexListQuery, limit: number): ListParams {
  return {
    require_preview: query.requirePreview ? 1 : 0,
    providers: nonEmptyJson(query.modelProviders),
    cwds: nonEmptyJson(query.cwds),
    search: query.searchTerm === null || query.searchTerm === '' ? null : query.searchTerm,
    kinds: JSON.stringify(expandSourceKinds(query.sourceKinds)),
    after_key: query.after ? Math.trunc(query.after.keyMs) : null,
    after_id: query.after ? query.after.id : null,
    limit,
  };
}

function nonEmptyJson(values: string[] | null): string | null {
  return values && values.length > 0 ? JSON.stringify(values) : null;
}

function listSql(column: string, direction: 'asc' | 'desc', archived: boolean): string {
  const beyond = direction === 'desc' ? '<' : '>';
  const order = direction === 'desc' ? 'DESC' : 'ASC';
  // `instr` keeps the title search case-sensitive (LIKE folds ASCII case). For active threads `+archived` keeps the
  // planner off the low-selectivity archived index so it walks the sort key's index and stops after one page
  // instead of sorting every row; archived threads have partial indexes (`idx_threads_archive_*`) that a literal
  // `archived = 1` selects; the redundant `<=`/`>=` bound lets a cursor start the walk at its position (O(page), not O(offset)).
  // `LIMIT @limit + 0`, not `LIMIT @limit`: SQLite reads a bare LIMIT parameter's value while planning, which marks
  // the statement to be re-prepared every time that parameter is bound (≈ 0.2 ms per call for this statement).
  return `
    SELECT ${THREAD_COLUMNS} FROM threads
    WHERE ${archived ? 'archived = 1' : '+archived = 0'}
      AND (@require_preview = 0 OR preview <> '')
      AND (@providers IS NULL OR model_provider IN (SELECT value FROM json_each(@providers)))
      AND (@cwds IS NULL OR cwd IN (SELECT value FROM json_each(@cwds)))
      AND (@search IS NULL OR instr(title, @search) > 0)
      AND ${SOURCE_KIND_SQL} IN (SELECT value FROM json_each(@kinds))
      AND (@after_key IS NULL OR ${column} ${beyond}= @after_key)
      AND (@after_key IS NULL OR ${column} ${beyond} @after_key OR (${column} = @after_key AND id ${beyond} @after_id))
    ORDER BY ${column} ${order}, id ${order}
    LIMIT @limit + 0`;
}
