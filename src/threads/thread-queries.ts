import path from 'node:path';
import type { StoredThread, ThreadStore } from '../rollout/thread-store.js';
import type { Logger } from '../support/logger.js';
import { ThreadError } from './errors.js';
import { rebuildHistory, rebuildTurns, skipForTurns } from './history.js';
import type { LoadedThread } from './loaded-thread.js';
import type { GitInfo, ThreadStatePort } from './ports.js';
import type { ReadState } from './facts.js';
import type { ThreadFacts } from './render/thread.js';
import type { TurnFacts } from './facts.js';
import { loadedThreadFacts } from './thread-facts.js';
import { listStoredThreads, type ThreadListRequest } from './thread-list.js';

/** `thread/read`'s answer as domain values: the thread, its turns (empty unless asked for) and its read state. */
export interface ThreadRead {
  thread: ThreadFacts;
  turns: TurnFacts[];
  readState: ReadState | null;
}

/** One `thread/list` page: each thread with its read state, and the cursors. */
export interface ThreadListPage {
  threads: { thread: ThreadFacts; readState: ReadState }[];
  nextCursor: string | null;
  backwardsCursor: string | null;
}

/** What the read-only queries need from the manager. */
export interface ThreadQueryDeps {
  store: ThreadStore;
  stateDb: ThreadStatePort | null;
  log: Logger;
  /** The thread loaded here (marking it active), or undefined. */
  loaded(threadId: string): LoadedThread | undefined;
  /** A stored thread, or its live state when it is loaded here; `gitInfo` when already looked up (else it is). */
  storedFacts(stored: StoredThread, gitInfo?: GitInfo | null): ThreadFacts;
}

export async function readThread(deps: ThreadQueryDeps, threadId: string, includeTurns: boolean): Promise<ThreadRead> {
  const loaded = deps.loaded(threadId);
  if (loaded) {
    if (includeTurns && !loaded.materialized) throw new ThreadError('list-turns-unsupported', 'list_turns is not supported yet');
    return { thread: loadedThreadFacts(loaded), turns: includeTurns ? loaded.turns : [], readState: loaded.materialized ? readState(deps, threadId) : null };
  }
  const { store } = deps;
  const rolloutPath = (await store.find(threadId, false)) ?? (await store.find(threadId, true));
  const stored = rolloutPath ? await (store.listedThread?.(rolloutPath, threadId) ?? store.storedThread(rolloutPath)) : null;
  if (!rolloutPath || !stored) throw new ThreadError('not-loaded', `thread not loaded: ${threadId}`);
  const turns = includeTurns ? await storedTurns(store, rolloutPath) : [];
  return { thread: deps.storedFacts({ ...stored, rolloutPath: path.resolve(rolloutPath) }), turns, readState: readState(deps, threadId) };
}

/**
 * A stored thread's turns. Decodes only the lines turns are made of (a third of a 0.169.0 file's bytes) when
 * that gives the same turns: not a reference fork (its history starts in another file), and no turn or item
 * named after its line's position (old formats without ids). Otherwise the whole history, with lineage.
 */
async function storedTurns(store: ThreadStore, rolloutPath: string): Promise<TurnFacts[]> {
  const selected = await store.readSelected(rolloutPath, skipForTurns);
  const first = selected.lines[0];
  const fork = first?.type === 'session_meta' && first.payload['forked_from_id'] !== undefined;
  const turns = fork ? null : rebuildTurns(selected.lines, selected.elided === 0);
  return turns ?? rebuildHistory((await store.readWithLineage(rolloutPath)).lines).turns;
}

export async function listThreads(deps: ThreadQueryDeps, request: ThreadListRequest): Promise<ThreadListPage> {
  const page = await listStoredThreads(deps.store, request);
  // The page's Git metadata and read receipts in one statement each, not two per listed thread. Without the batch
  // lookups (test doubles) or when one fails, each thread is asked for alone, as a read does.
  const ids = page.threads.map((stored) => stored.id);
  const gitInfos = pageLookup(deps, 'git metadata lookup failed', () => deps.stateDb?.gitInfos?.(ids));
  const receipts = pageLookup(deps, 'read receipt lookup failed', () => deps.stateDb?.readStates?.(ids));
  return {
    threads: page.threads.map((stored) => ({
      thread: deps.storedFacts(stored, gitInfos ? (gitInfos.get(stored.id) ?? null) : undefined),
      readState: receipts ? (receipts.get(stored.id) ?? initialReadState(stored.id)) : readState(deps, stored.id),
    })),
    nextCursor: page.nextCursor,
    backwardsCursor: page.backwardsCursor,
  };
}

function pageLookup<T>(deps: ThreadQueryDeps, failure: string, lookup: () => T | undefined): T | undefined {
  if (!deps.stateDb) return undefined;
  try {
    return lookup();
  } catch (error) {
    deps.log.warn({ err: error }, failure);
    return undefined;
  }
}

/** SPEC §3 read state: the stored receipt, or the initial state of a thread without one. */
function readState(deps: ThreadQueryDeps, threadId: string): ReadState {
  let receipt = null;
  try {
    receipt = deps.stateDb?.readState(threadId) ?? null;
  } catch (error) {
    deps.log.warn({ err: error }, 'read receipt lookup failed');
  }
  return receipt ?? initialReadState(threadId);
}

function initialReadState(threadId: string): ReadState {
  return { firstUnreadTurnId: null, revision: `initial:${threadId}` };
}
