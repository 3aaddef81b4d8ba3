/**
 * A `ThreadSearcher` over a state DB built in a test, with rollout reads and session names under the test's
 * control: threads are inserted as rows, their texts come from `texts` (or a reader the test holds back).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { onTestFinished } from 'vitest';
import type { RolloutSummary } from '../../../src/rollout/types.js';
import { ThreadLister } from '../../../src/state/list.js';
import { ensureSchema } from '../../../src/state/migrations.js';
import { ensureSearchSchema } from '../../../src/state/search-schema.js';
import type { ThreadSearchQuery } from '../../../src/state/search-port.js';
import { ThreadSearcher } from '../../../src/state/thread-search.js';
import { foldTerm } from '../../../src/support/literal-match.js';
import { BASE_MS, makeTempHome, recordingLogger, type RecordingLogger } from './helpers.js';

export interface ThreadRowInput {
  id: string;
  createdAtMs?: number;
  updatedAtMs?: number | null;
  recencyAtMs?: number;
  preview?: string;
  name?: string | null;
  archived?: boolean;
  source?: string;
  rolloutPath?: string;
}

export interface Harness {
  file: string;
  db: Database.Database;
  searcher: ThreadSearcher;
  log: RecordingLogger;
  /** Texts `readTexts` answers per rollout path (the path is `/r/<id>.jsonl` unless given). */
  texts: Map<string, { id: string; preview: string; visibleTexts: string[] | null }>;
  /** Paths `readTexts` was asked for, in order. */
  reads: string[];
  /** Names `sessionNames` answers (a new Map object means "changed"). */
  names: Map<string, string>;
  /** When set, `readTexts` waits on it before answering. */
  gate: Promise<void> | null;
  /** Errors thrown, one per call, by the searcher's `PRAGMA data_version` reads (an SQLite failure at catch-up). */
  pragmaErrors: unknown[];
  /** When set, `sessionNames` waits on it before answering. */
  namesGate: Promise<void> | null;
  /** Errors thrown, one per call, by `sessionNames`. */
  namesErrors: unknown[];
  /** The searcher's clock: each reading advances it by `clockStep` ms (so a fill chunk "takes" that long). */
  clockMs: number;
  clockStep: number;
  insert(row: ThreadRowInput): void;
  /** A second connection (another process). */
  other(): Database.Database;
}

export function rolloutPathOf(id: string): string {
  return `/r/${id}.jsonl`;
}

export function harness(options: { searchSchema?: boolean } = {}): Harness {
  const home = makeTempHome('s-search-');
  const file = path.join(home, 'state_5.sqlite');
  const db = new Database(file, { timeout: 5000 });
  onTestFinished(() => void db.close());
  db.pragma('journal_mode = WAL');
  ensureSchema(db);
  new ThreadLister(db); // registers the source-kind SQL function the candidate statement calls
  if (options.searchSchema !== false) ensureSearchSchema(db);
  const log = recordingLogger();
  const h: Harness = {
    file,
    db,
    log,
    texts: new Map(),
    reads: [],
    names: new Map(),
    gate: null,
    pragmaErrors: [],
    namesGate: null,
    namesErrors: [],
    clockMs: 0,
    clockStep: 0,
    searcher: undefined as unknown as ThreadSearcher,
    insert(row) {
      const created = row.createdAtMs ?? BASE_MS;
      const updated = row.updatedAtMs === undefined ? created : row.updatedAtMs;
      db.prepare(
        `INSERT INTO threads (id, rollout_path, created_at, updated_at, source, model_provider, cwd, title, sandbox_policy, approval_mode,
           created_at_ms, updated_at_ms, recency_at, recency_at_ms, preview, name, archived)
         VALUES (@id, @path, @created, @updatedS, @source, 'p', '/w', '', '{}', 'never', @createdMs, @updatedMs, @recencyS, @recencyMs, @preview, @name, @archived)`,
      ).run({
        id: row.id,
        path: row.rolloutPath ?? rolloutPathOf(row.id),
        created: Math.floor(created / 1000),
        updatedS: Math.floor((updated ?? created) / 1000),
        source: row.source ?? 'vscode',
        createdMs: created,
        updatedMs: updated,
        recencyS: Math.floor((row.recencyAtMs ?? created) / 1000),
        recencyMs: row.recencyAtMs ?? created,
        preview: row.preview ?? 'p',
        name: row.name ?? null,
        archived: row.archived ? 1 : 0,
      });
    },
    other() {
      const o = new Database(file, { timeout: 5000 });
      onTestFinished(() => void o.close());
      return o;
    },
  };
  // The searcher's connection, with SQLite failures the test injects.
  const failing = new Proxy(db, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === 'pragma') {
        return (...args: Parameters<Database.Database['pragma']>) => {
          if (h.pragmaErrors.length > 0) throw h.pragmaErrors.shift();
          return target.pragma(...args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  h.searcher = new ThreadSearcher({
    db: failing,
    log,
    readTexts: async (rolloutPath: string) => {
      h.reads.push(rolloutPath);
      if (h.gate) await h.gate;
      const t = h.texts.get(rolloutPath);
      if (!t) throw new Error(`no such file ${rolloutPath}`);
      return { id: t.id, preview: t.preview, visibleTexts: t.visibleTexts } as unknown as RolloutSummary;
    },
    sessionNames: async () => {
      if (h.namesGate) await h.namesGate;
      if (h.namesErrors.length > 0) throw h.namesErrors.shift();
      return h.names;
    },
    now: () => (h.clockMs += h.clockStep),
  });
  return h;
}

/** Adds a thread row and its rollout texts (the first text is the preview). */
export function addThread(h: Harness, row: ThreadRowInput, texts: string[]): void {
  h.insert({ preview: texts[0] ?? '', ...row });
  h.texts.set(row.rolloutPath ?? rolloutPathOf(row.id), { id: row.id, preview: texts[0] ?? '', visibleTexts: texts });
}

export function query(term: string, extra: Partial<ThreadSearchQuery> = {}): ThreadSearchQuery {
  return { foldedTerm: foldTerm(term), archived: false, sortKey: 'created_at', sortDirection: 'desc', after: null, limit: 25, sourceKinds: [], ...extra };
}

export async function hitsOf(h: Harness, term: string, extra: Partial<ThreadSearchQuery> = {}): Promise<{ id: string; snippet: string }[]> {
  const page = await h.searcher.search(query(term, extra));
  if (!page) throw new Error('the index did not answer');
  return page.hits.map((hit) => ({ id: hit.thread.id, snippet: hit.snippet }));
}

export async function idsOf(h: Harness, term: string, extra: Partial<ThreadSearchQuery> = {}): Promise<string[]> {
  return (await hitsOf(h, term, extra)).map((x) => x.id);
}

export function docsOf(db: Database.Database, threadId: string): { field: string; text: string; indexed: number }[] {
  return db.prepare('SELECT field, text, indexed FROM codex_ts_search_docs WHERE thread_id = ? ORDER BY id').all(threadId) as { field: string; text: string; indexed: number }[];
}

export function markerOf(db: Database.Database, threadId: string): { updated_at_ms: number; name: string | null } | undefined {
  return db.prepare('SELECT updated_at_ms, name FROM codex_ts_search_threads WHERE thread_id = ?').get(threadId) as { updated_at_ms: number; name: string | null } | undefined;
}

export { BASE_MS };
