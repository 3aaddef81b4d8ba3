import type { RolloutSpans } from './line-spans.js';
import type { ThreadLines } from './lineage.js';
import type { LineSkipRule, RolloutContents, SelectedLines } from './reader.js';
import type { IndexListQuery } from './thread-index.js';
import type { AppendedLine, NewRolloutLine, RolloutSummary } from './types.js';

/**
 * What the thread layer may know of the rollout store. `threads/` imports this module and `types.ts` only;
 * everything else in `rollout/` (file layout, reader, writer, locks, scans) stays behind `LocalThreadStore`,
 * so another store (a remote one on a database service) can implement the same interface.
 */

export type { IndexedThreadInput, IndexListQuery, ListSortKey, ThreadIndex, TurnIndexUpdate } from './thread-index.js';
export type { LineSpan, RolloutSpans } from './line-spans.js';
export type { ThreadLines } from './lineage.js';
export type { RolloutLine } from './types.js';
export type { RolloutContents } from './reader.js';
export { ThreadStoreError, type ThreadStoreErrorKind } from './errors.js';
export { sandboxPolicyJson } from './file-row.js';
export { sortKeyMs } from './list-filter.js';
export { visibleTextOfLine, visibleTextsOf } from './visible-text.js';

/** A listed thread: what its file says plus its user-set name. */
export interface StoredThread extends RolloutSummary {
  name: string | null;
}

export interface ListPage {
  threads: StoredThread[];
  /** True when more threads follow the page. */
  more: boolean;
}

/** A held cross-process writer lock on one thread; `release()` is idempotent. */
export interface ThreadLock {
  release(): void;
}

/**
 * Appends whole lines to one thread's rollout. Each `append` is one write of complete lines (a crash leaves
 * the file readable up to its last whole line) and returns where each line landed. Not safe for concurrent
 * use: the thread's queue serialises it. Never writes through a symlink that leaves CODEX_HOME.
 */
export interface ThreadWriter {
  readonly rolloutPath: string;
  /** True once at least one line is in the file. */
  readonly materialized: boolean;
  /** The ordinal the next line gets. */
  readonly ordinal: number;
  append(lines: NewRolloutLine[]): Promise<AppendedLine[]>;
  /** Makes what was written durable (called at least at turn end). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The thread store: rollout files are the truth, an optional DB index is a hint it keeps repaired.
 *
 * Contract: thread ids passed in are canonical (`parseThreadId`); paths it returns are inside CODEX_HOME;
 * `find` answers null (never throws) for a thread it does not have; archive and unarchive are renames that
 * never overwrite and throw `ThreadStoreError` (`no-rollout`, `no-archived-rollout`, `conflict`, `io`).
 * It never takes a writer lock on its own: callers hold `tryLock` around moves of a thread's file.
 */
export interface ThreadStore {
  /** The rollout of a thread among active (`archived=false`) or archived files, or null. */
  find(threadId: string, archived: boolean): Promise<string | null>;
  /** What a rollout says about its thread, with its name; null when the file cannot be read. */
  storedThread(rolloutPath: string): Promise<StoredThread | null>;
  /**
   * The same thread as listings show it: may come from the index row when that is current for the file, so
   * `lineCount` is 0 and `forkedFromId` null (never use it to continue a file). Absent: use `storedThread`.
   */
  listedThread?(rolloutPath: string, threadId: string): Promise<StoredThread | null>;
  /** A thread's own file and its history with fork lineage (a reference fork's source lines first). */
  readWithLineage(rolloutPath: string): Promise<ThreadLines>;
  /**
   * A thread's own file, decoding only the lines `skip` does not rule out (no fork lineage). The first
   * decodable line is always decoded, so a caller can tell a fork and fall back to `readWithLineage`.
   */
  readSelected(rolloutPath: string, skip: LineSkipRule): Promise<SelectedLines>;
  /** A rollout's complete lines with their byte spans (the history projection follows them). */
  readSpans(rolloutPath: string): Promise<RolloutSpans>;
  /** The file's size in bytes. */
  fileSize(rolloutPath: string): Promise<number>;
  /** The thread's writer lock, or null when another holder (this process or another) has it. */
  tryLock(threadId: string): ThreadLock | null;
  /** Loads what the first lock needs (native binding, lock directory) ahead of time; may throw. */
  warm(): void;
  /** A writer for a new thread: its file is created on the first append (a thread never written has none). */
  newWriter(threadId: string, createdAtMs: number): ThreadWriter;
  /** A writer continuing a file as `readWithLineage` read it (ordinals and a torn last line carried on). */
  continueWriter(rolloutPath: string, own: RolloutContents): ThreadWriter;
  /** One page of threads in the query's order; `indexOnly` answers from the DB index alone when there is one. */
  list(query: IndexListQuery, indexOnly: boolean): Promise<ListPage>;
  /** Moves an active rollout to `archived_sessions/`; returns the new path. */
  archive(threadId: string): Promise<string>;
  /** Moves an archived rollout back to its date directory (`updated_at` becomes now); returns the new path. */
  unarchive(threadId: string): Promise<string>;
  /** Removes the thread's rollout (active or archived) from the home; the removed path, or null when there is none. */
  delete(threadId: string): Promise<string | null>;
  /** Records a user-set name (`session_index.jsonl`); the last one recorded wins. */
  appendName(threadId: string, name: string, nowMs: number): Promise<void>;
}
