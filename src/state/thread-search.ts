import type Database from 'better-sqlite3';
import type { ListSortKey } from '../rollout/thread-index.js';
import { expandSourceKinds } from '../rollout/source-kind.js';
import type { RolloutSummary } from '../rollout/types.js';
import { firstSnippet, searchableTexts } from '../support/literal-match.js';
import type { Logger } from '../support/logger.js';
import { errorText } from './error-text.js';
import { recreateSearchSchema } from './search-schema.js';
import { SearchTables, type SearchDoc, type StaleThread } from './search-index.js';
import type { ThreadSearchHit, ThreadSearchPage, ThreadSearchPort, ThreadSearchQuery, TurnSearchText } from './search-port.js';
import { THREAD_COLUMNS, threadFromRecord, type ThreadRecord } from './thread-rows.js';
import { prepareOnUse, type Prepared } from './prepared.js';

/** Trigram lookups need three characters; shorter terms walk the threads in order instead. */
const MIN_FTS_CHARS = 3;
/** Characters of a long term handed to FTS5: a prefix narrows as well as the whole term; the whole term is checked after. */
const FTS_PREFIX_CHARS = 48;
/**
 * Work per event-loop turn of the background fill that hands stored texts to FTS5: a request that arrives meanwhile
 * waits for at most about one slice. Chunk sizes adapt to it (a row's cost varies with its text and the machine's load).
 */
const FILL_SLICE_MS = 4;
const FILL_FIRST_ROWS = 32;
const FILL_MAX_ROWS = 1000;
/** Files re-read at once when the index catches up. */
const CATCH_UP_CONCURRENCY = 16;

/** SQL function registered by `ThreadLister` on the same connection (the source kind of a `threads.source`). */
const SOURCE_KIND_FUNCTION = 'codex_ts_source_kind';

/** The next chunk's rows: doubled while a chunk takes under half a slice, halved when it overran one. */
export function nextFillRows(rows: number, spentMs: number): number {
  if (spentMs > FILL_SLICE_MS) return Math.max(1, Math.floor(rows / 2));
  if (spentMs < FILL_SLICE_MS / 2) return Math.min(FILL_MAX_ROWS, rows * 2);
  return rows;
}

/**
 * Order columns and the key compared with a cursor (unix ms). Reference behaviour: by creation the reference
 * orders on the `created_at` second (and its index `idx_threads_created_at`), so do we, on the same column.
 */
const SORT_COLUMNS: Record<ListSortKey, { order: string; key: string }> = {
  created_at: { order: 'created_at', key: 'created_at * 1000' },
  updated_at: { order: 'updated_at_ms', key: 'updated_at_ms' },
  recency_at: { order: 'recency_at_ms', key: 'recency_at_ms' },
};

export interface ThreadSearcherDeps {
  db: Database.Database;
  log: Logger;
  /** Reads a rollout with its visible texts (`summarizeRollout(…, { withText: true })`). */
  readTexts: (rolloutPath: string, archived: boolean) => Promise<RolloutSummary | null>;
  /** Names from `session_index.jsonl` (the reference's rename record), latest per thread. */
  sessionNames: () => Promise<Map<string, string>>;
  /** A monotonic clock in ms that times the background fill's chunks; `performance.now` by default. */
  now?: () => number;
}

interface CandidateParams {
  kinds: string;
  after_key: number | null;
  after_id: string | null;
  match?: string;
  id_term?: string;
}

/**
 * Full-text search over the state DB (issue 18): `threads` gives order and filters, the search tables say which
 * threads hold the term. Before each search the index catches up with `threads` (rows it has not seen, rows
 * changed by another process, names renamed in `session_index.jsonl`, rows deleted), reading only those rollouts.
 * A corrupt index is dropped and rebuilt from the rollouts in the background; until then `search` answers null.
 */
export class ThreadSearcher implements ThreadSearchPort {
  private tables: SearchTables;
  private readonly statements = new Map<string, Database.Statement<CandidateParams, ThreadRecord>>();
  private state: 'ready' | 'rebuilding' = 'ready';
  private catchingUp: Promise<void> | null = null;
  private filling: Promise<void> | null = null;
  /** Set by our own writes to `threads` and by a failed pass; cleared when a catch-up pass starts. */
  private dirty = true;
  private seenDataVersion = -1;
  private seenNames: Map<string, string> | null = null;
  /** Resolves when a rebuild started by corruption has finished (tests wait on it). */
  rebuilt: Promise<void> = Promise.resolve();

  private readonly selectRow: Prepared<[string], { updated_ms: number; name: string | null }>;

  constructor(private readonly deps: ThreadSearcherDeps) {
    this.tables = new SearchTables(deps.db);
    this.selectRow = prepareOnUse(deps.db, 'SELECT COALESCE(updated_at_ms, updated_at * 1000) AS updated_ms, name FROM threads WHERE id = ?');
  }

  /** The tables, for the backfill's writes in its own transactions; null while rebuilding. */
  get writableTables(): SearchTables | null {
    return this.state === 'ready' ? this.tables : null;
  }

  async search(query: ThreadSearchQuery): Promise<ThreadSearchPage | null> {
    if (this.state !== 'ready') return null;
    try {
      await this.catchUp();
      if (this.state !== 'ready') return null;
      return this.page(query);
    } catch (err) {
      this.failed(err);
      return null;
    }
  }

  indexTurn(turn: TurnSearchText): void {
    this.upkeep(() => {
      this.tables.immediate(() => {
        if (this.tables.appendTurn(turn.threadId, turn.preview, turn.texts)) return;
        // Not indexed yet (a new thread, or one the index never saw): index all of it, current as of its row.
        const row = this.selectRow.get(turn.threadId);
        if (!row) return;
        this.tables.replace({ threadId: turn.threadId, preview: turn.preview, name: row.name ?? turn.name, messages: turn.allTexts() }, row.updated_ms, row.name);
      });
    });
  }

  /** `thread/name/set` done here: the name text follows at once. */
  setName(threadId: string, name: string): void {
    this.upkeep(() => this.tables.immediate(() => this.tables.setName(threadId, name)));
  }

  removeThread(threadId: string): void {
    this.upkeep(() => this.tables.immediate(() => this.tables.remove(threadId)));
  }

  /**
   * Hands the rows the backfill stored to FTS5, a chunk of about `FILL_SLICE_MS` per event-loop turn so requests
   * are answered in between; searches meanwhile check the pending rows exactly. Resolves when none is left (or the index failed).
   */
  fill(): Promise<void> {
    this.filling ??= (async () => {
      const now = this.deps.now ?? (() => performance.now());
      let rows = FILL_FIRST_ROWS;
      for (;;) {
        if (this.state !== 'ready' || !this.deps.db.open) return;
        let count = 0;
        const started = now();
        try {
          count = this.tables.fillChunk.immediate(rows);
        } catch (err) {
          this.failed(err);
          return;
        }
        if (count === 0) return;
        rows = nextFillRows(rows, now() - started);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    })().finally(() => {
      this.filling = null;
    });
    return this.filling;
  }

  /** Our own write to `threads` (the index may lag behind it until the next catch-up). */
  rowsChanged(): void {
    this.dirty = true;
  }

  /**
   * Brings the index up to `threads`; concurrent callers share one pass. Skipped when nothing can have changed:
   * no write of ours since the last pass, no commit by another connection (`PRAGMA data_version`), and the
   * same `session_index.jsonl` names. A pass under way is always waited for: until it ends the index is half
   * filled, and it may have started before the latest change, so the caller then looks again.
   */
  async catchUp(): Promise<void> {
    while (this.catchingUp) await this.catchingUp;
    const names = await this.deps.sessionNames();
    // Another caller may have started a pass while the names were read.
    if (this.catchingUp) return this.catchUp();
    const version = Number(this.deps.db.pragma('data_version', { simple: true }));
    if (!this.dirty && version === this.seenDataVersion && names === this.seenNames) return;
    const pass = this.runCatchUp(names)
      .catch((err: unknown) => {
        // A pass that failed part-way has not caught up: the next search runs one even if nothing changes.
        this.dirty = true;
        throw err;
      })
      .finally(() => {
        this.catchingUp = null;
      });
    this.catchingUp = pass;
    return pass;
  }

  private async runCatchUp(names: Map<string, string>): Promise<void> {
    const tables = this.tables;
    // Anything written from here on is seen by the next pass.
    this.dirty = false;
    this.seenDataVersion = Number(this.deps.db.pragma('data_version', { simple: true }));
    const namesChanged = names !== this.seenNames;
    this.seenNames = names;
    for (const orphan of tables.orphans()) tables.remove(orphan);
    const stale = tables.stale();
    const staleIds = new Set(stale.map((s) => s.id));
    // A rename recorded only in `session_index.jsonl` (by the reference) leaves the row as it was.
    if (namesChanged) {
      for (const [id, name] of names) {
        if (staleIds.has(id)) continue;
        const entry = tables.indexed(id);
        if (entry && entry.name === null && entry.indexedName !== name) stale.push(entry);
      }
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < stale.length) {
        const thread = stale[next] as StaleThread;
        next += 1;
        const summary = await this.deps.readTexts(thread.rolloutPath, thread.archived).catch(() => null);
        if (this.tables !== tables) return; // rebuilt meanwhile: the new pass redoes it
        if (!summary || summary.id !== thread.id) {
          // No readable file: index what the row says so the thread is not re-read on every search.
          tables.replace({ threadId: thread.id, preview: '', name: thread.name ?? names.get(thread.id) ?? null, messages: [] }, thread.updatedAtMs, thread.name);
          continue;
        }
        const name = thread.name ?? names.get(thread.id) ?? null;
        tables.replace({ threadId: thread.id, preview: summary.preview, name, messages: summary.visibleTexts ?? [] }, thread.updatedAtMs, name);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CATCH_UP_CONCURRENCY, stale.length) }, worker));
  }

  private page(query: ThreadSearchQuery): ThreadSearchPage {
    const useFts = [...query.foldedTerm].length >= MIN_FTS_CHARS;
    const params: CandidateParams = {
      kinds: JSON.stringify(expandSourceKinds(query.sourceKinds)),
      after_key: query.after ? Math.trunc(query.after.keyMs) : null,
      after_id: query.after?.id ?? null,
    };
    if (useFts) {
      params.match = ftsQuery(query.foldedTerm);
      // Thread ids are lower-case hex: the folded term matches them as it is.
      params.id_term = query.foldedTerm;
    }
    const hits: ThreadSearchHit[] = [];
    const limit = Math.max(1, query.limit);
    for (const record of this.statement(query, useFts).iterate(params)) {
      const docs = this.tables.docsOf(record.id);
      const snippet = firstSnippet(orderedTexts(record, docs), query.foldedTerm);
      if (snippet === null) continue;
      if (hits.length === limit) return { hits, more: true };
      const thread = threadFromRecord(record);
      const name = docs.find((doc) => doc.field === 'name')?.text ?? thread.name;
      hits.push({ thread: { ...thread, name }, snippet });
    }
    return { hits, more: false };
  }

  private statement(query: ThreadSearchQuery, useFts: boolean): Database.Statement<CandidateParams, ThreadRecord> {
    const key = `${query.sortKey}:${query.sortDirection}:${query.archived}:${useFts}`;
    let statement = this.statements.get(key);
    if (!statement) {
      statement = this.deps.db.prepare(candidateSql(SORT_COLUMNS[query.sortKey], query.sortDirection, query.archived, useFts));
      this.statements.set(key, statement);
    }
    return statement;
  }

  private upkeep(write: () => void): void {
    if (this.state !== 'ready') return;
    try {
      write();
    } catch (err) {
      this.failed(err);
    }
  }

  /** A failed statement: corruption starts a rebuild; anything else is logged (the next catch-up repairs it). */
  private failed(err: unknown): void {
    if (!isCorruption(err)) {
      this.deps.log.warn(`thread search index: ${errorText(err)}`);
      return;
    }
    if (this.state === 'rebuilding') return;
    this.deps.log.warn(`thread search index is corrupt (${errorText(err)}); rebuilding it from the rollouts, searching the files meanwhile`);
    this.state = 'rebuilding';
    this.rebuilt = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.rebuild());
  }

  private async rebuild(): Promise<void> {
    try {
      await this.catchingUp?.catch(() => undefined);
      recreateSearchSchema(this.deps.db);
      this.statements.clear();
      this.tables = new SearchTables(this.deps.db);
      await this.runCatchUp(await this.deps.sessionNames());
      this.state = 'ready';
    } catch (err) {
      this.deps.log.warn(`thread search index rebuild failed: ${errorText(err)}; thread/search scans the rollouts`);
    }
  }
}

/**
 * A term as an FTS5 query: the distinct trigrams of its first {@link FTS_PREFIX_CHARS} characters, each one FTS5
 * string (every character literal, quotes doubled), joined by AND. No input becomes FTS query syntax; the term
 * must have at least three characters.
 */
export function ftsQuery(foldedTerm: string): string {
  const chars = [...foldedTerm].slice(0, FTS_PREFIX_CHARS);
  const trigrams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i += 1) trigrams.add(chars.slice(i, i + 3).join(''));
  return [...trigrams].map((t) => `"${t.replaceAll('"', '""')}"`).join(' AND ');
}

/** The texts of a candidate in snippet order: the row's preview, the indexed name, the messages, the row's id. */
function orderedTexts(record: ThreadRecord, docs: SearchDoc[]): string[] {
  const name = docs.find((doc) => doc.field === 'name')?.text ?? record.name;
  const messages = docs.filter((doc) => doc.field === 'message').map((doc) => doc.text);
  return searchableTexts(record.preview, name, messages, record.id);
}

function candidateSql(columns: { order: string; key: string }, direction: 'asc' | 'desc', archived: boolean, useFts: boolean): string {
  const beyond = direction === 'desc' ? '<' : '>';
  const order = direction === 'desc' ? 'DESC' : 'ASC';
  const column = columns.key;
  // Same filters and order as `thread/list` from the DB (`list.ts`); the FTS lookup runs once as a set.
  // Terms in evaluation order: the candidate set (computed once) first, the per-row JS source-kind function last,
  // so a walk over threads that hold no match costs a set lookup each.
  return `
    SELECT ${THREAD_COLUMNS} FROM threads
    WHERE ${useFts ? `(id IN (SELECT d.thread_id FROM codex_ts_search_docs d WHERE d.id IN (SELECT rowid FROM codex_ts_search_fts WHERE codex_ts_search_fts MATCH @match))
        OR id IN (SELECT p.thread_id FROM codex_ts_search_docs p WHERE p.indexed = 0)
        OR instr(id, @id_term) > 0) AND` : ''}
      ${archived ? 'archived = 1' : "+archived = 0 AND preview <> ''"}
      AND (@after_key IS NULL OR ${column} ${beyond}= @after_key)
      AND (@after_key IS NULL OR ${column} ${beyond} @after_key OR (@after_id IS NOT NULL AND ${column} = @after_key AND id ${beyond} @after_id))
      AND ${SOURCE_KIND_FUNCTION}(source) IN (SELECT value FROM json_each(@kinds))
    ORDER BY ${columns.order} ${order}, id ${order}`;
}

function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB)/.test(code)) return true;
  // FTS5 reports a damaged shadow table as a generic error with this text.
  return /malformed|corrupt/i.test(errorText(err));
}
