import { readRollout, type RolloutContents } from './reader.js';
import { isCanonicalThreadId } from '../support/thread-id.js';
import type { RolloutLine } from './types.js';

/** How lineage finds a fork's source: the store's `find` (active first, then archived). */
export interface RolloutFinder {
  find(threadId: string, archived: boolean): Promise<string | null>;
}

/** A thread's file plus the conversation it continues. */
export interface ThreadLines {
  /** The thread's own file, as read (the writer continues it). */
  own: RolloutContents;
  /** Its history: for a reference fork, the source's first lines, then its own. */
  lines: RolloutLine[];
}

const MAX_FORK_DEPTH = 16;

/**
 * Reads a rollout with its fork lineage. The reference writes a fork as a `session_meta` naming the source
 * (`forked_from_id`) and how many of its lines the fork includes (`forked_from_ordinal_exclusive`), without
 * copying them; the history is those source lines followed by the fork's own. Our forks copy the lines and
 * carry no ordinal, so they read as they are. A missing source leaves the fork's own lines.
 */
export async function readThreadLines(store: RolloutFinder, rolloutPath: string): Promise<ThreadLines> {
  const own = await readRollout(rolloutPath);
  return { own, lines: await withLineage(store, own.lines, new Set([rolloutPath]), 0) };
}

async function withLineage(store: RolloutFinder, lines: RolloutLine[], seen: Set<string>, depth: number): Promise<RolloutLine[]> {
  const meta = lines[0]?.type === 'session_meta' ? lines[0].payload : null;
  const sourceId = meta?.['forked_from_id'];
  const upTo = meta?.['forked_from_ordinal_exclusive'];
  if (typeof sourceId !== 'string' || typeof upTo !== 'number' || !isCanonicalThreadId(sourceId) || depth >= MAX_FORK_DEPTH) return lines;
  const sourcePath = (await store.find(sourceId, false)) ?? (await store.find(sourceId, true));
  if (!sourcePath || seen.has(sourcePath)) return lines;
  seen.add(sourcePath);
  const source = await withLineage(store, (await readRollout(sourcePath)).lines, seen, depth + 1);
  const included = source.filter((line, index) => (line.ordinal ?? index) < upTo && line.type !== 'session_meta');
  const [forkMeta, ...forkOwn] = lines;
  return forkMeta ? [forkMeta, ...included, ...forkOwn] : included;
}
