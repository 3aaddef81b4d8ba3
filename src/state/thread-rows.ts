import type { IndexedThread, IndexedThreadInput } from '../rollout/thread-index.js';
import { spawnOriginOf } from '../rollout/source-kind.js';
import { decodeSource, encodeSource, sourceText } from './source-text.js';

/** The reference's provider id when a rollout names none (`session_meta.model_provider` absent). */
export const DEFAULT_MODEL_PROVIDER = 'openai';

/** Named parameters of the threads upsert statement. */
export interface ThreadRowParams {
  id: string;
  rollout_path: string;
  created_at: number;
  created_at_ms: number;
  updated_at: number;
  updated_at_ms: number;
  recency_at: number;
  recency_at_ms: number;
  source: string;
  model_provider: string;
  model: string | null;
  cwd: string;
  preview: string;
  name: string | null;
  sandbox_policy: string;
  approval_mode: string;
  tokens_used: number;
  archived: number;
  archived_at: number | null;
  cli_version: string;
  originator: string;
  agent_nickname: string | null;
  agent_role: string | null;
  agent_path: string | null;
}

export function rowParams(row: IndexedThreadInput, defaultModelProvider: string): ThreadRowParams {
  return {
    id: row.id,
    rollout_path: row.rolloutPath,
    created_at: seconds(row.createdAtMs),
    created_at_ms: Math.trunc(row.createdAtMs),
    updated_at: seconds(row.updatedAtMs),
    updated_at_ms: Math.trunc(row.updatedAtMs),
    recency_at: seconds(row.recencyAtMs),
    recency_at_ms: Math.trunc(row.recencyAtMs),
    source: encodeSource(row.source),
    model_provider: row.modelProvider ?? defaultModelProvider,
    model: row.model,
    cwd: row.cwd,
    preview: row.preview,
    name: row.name,
    sandbox_policy: row.sandboxPolicy,
    approval_mode: row.approvalMode,
    tokens_used: Math.trunc(row.tokensUsed),
    archived: row.archived ? 1 : 0,
    archived_at: row.archivedAtMs === null ? null : seconds(row.archivedAtMs),
    cli_version: row.cliVersion,
    originator: row.originator,
    agent_nickname: row.spawn?.agentNickname ?? null,
    agent_role: row.spawn?.agentRole ?? null,
    agent_path: row.spawn?.agentPath ?? null,
  };
}

/**
 * The columns every thread SELECT returns, in `ThreadRow`'s order (raw rows are read by position). The schema's
 * insert triggers fill the `_ms` columns from the second columns when a writer leaves them out, so they are never
 * NULL or 0 in practice.
 */
export const THREAD_COLUMNS = `
  id, rollout_path, archived, archived_at, source, model_provider, model, cwd, cli_version, originator,
  preview, name, sandbox_policy, approval_mode, tokens_used,
  created_at_ms AS created_ms, updated_at_ms AS updated_ms, recency_at_ms AS recency_ms`;

export interface ThreadRecord {
  id: string;
  rollout_path: string;
  archived: number;
  archived_at: number | null;
  /** TEXT as written by the reference and by us; a BLOB from another writer arrives as a Buffer. */
  source: string | Buffer;
  model_provider: string;
  model: string | null;
  cwd: string;
  cli_version: string;
  originator: string | null;
  preview: string;
  name: string | null;
  sandbox_policy: string;
  approval_mode: string;
  tokens_used: number;
  created_ms: number;
  updated_ms: number;
  recency_ms: number;
}

/**
 * A `THREAD_COLUMNS` row as an array (a statement in better-sqlite3's `raw` mode), in the columns' order. Hot
 * lookups (a listed page, a listed file's row) read rows this way: better-sqlite3 builds an object row property by
 * property from C++, re-internalising every column name for every row, which costs several times the array.
 */
export type ThreadRow = [
  id: string,
  rolloutPath: string,
  archived: number,
  archivedAt: number | null,
  source: string | Buffer,
  modelProvider: string,
  model: string | null,
  cwd: string,
  cliVersion: string,
  originator: string | null,
  preview: string,
  name: string | null,
  sandboxPolicy: string,
  approvalMode: string,
  tokensUsed: number,
  createdMs: number,
  updatedMs: number,
  recencyMs: number,
];

/** Where a `ThreadRow` holds the rollout path (read before the row is converted). */
export const ROW_ROLLOUT_PATH = 1;

export function threadFromRow(row: ThreadRow): IndexedThread {
  const source = decodeSource(sourceText(row[4]));
  const archivedAt = row[3];
  return {
    id: row[0],
    rolloutPath: row[1],
    archived: row[2] !== 0,
    createdAtMs: row[15],
    updatedAtMs: row[16],
    recencyAtMs: row[17],
    source,
    spawn: spawnOriginOf(source),
    modelProvider: row[5],
    model: row[6],
    cwd: row[7],
    cliVersion: row[8],
    originator: row[9] ?? '',
    preview: row[10],
    tokensUsed: row[14],
    approvalMode: row[13],
    sandboxPolicy: row[12],
    name: row[11],
    archivedAtMs: archivedAt === null ? null : archivedAt * 1000,
  };
}

export function threadFromRecord(r: ThreadRecord): IndexedThread {
  return threadFromRow([
    r.id, r.rollout_path, r.archived, r.archived_at, r.source, r.model_provider, r.model, r.cwd, r.cli_version, r.originator,
    r.preview, r.name, r.sandbox_policy, r.approval_mode, r.tokens_used, r.created_ms, r.updated_ms, r.recency_ms,
  ]);
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}
