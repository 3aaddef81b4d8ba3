import { statSync } from 'node:fs';
import { stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import { isContained } from './contained.js';
import { readThreadLines, type ThreadLines } from './lineage.js';
import { readRolloutSpans, type RolloutSpans } from './line-spans.js';
import { moveNoReplace } from './move.js';
import { readRolloutSelected, type LineSkipRule, type RolloutContents, type SelectedLines } from './reader.js';
import type { ListPage, StoredThread, ThreadLock, ThreadStore, ThreadWriter } from './thread-store.js';
import { WriterLocks } from './writer-lock.js';
import { RolloutWriter } from './writer.js';
import { ThreadStoreError } from './errors.js';
import { rowFromSummary } from './file-row.js';
import { HomeLayout, parseRolloutFileName } from './layout.js';
import { comparePosition, matchesListFilters, sortKeyMs } from './list-filter.js';
import { searchRolloutById, walkActiveRollouts, walkArchivedRollouts } from './scan.js';
import { checkRolloutOwner } from './session-meta.js';
import { isCanonicalThreadId } from '../support/thread-id.js';
import { ThreadNames } from './thread-names.js';
import { summarizeRollout } from './summary.js';
import type { IndexListQuery, ThreadIndex } from './thread-index.js';
import type { RolloutSummary } from './types.js';

const MAX_FORK_DEPTH = 16;

/**
 * The rollout store: JSONL files under CODEX_HOME are the truth; the optional `ThreadIndex` (the state DB)
 * is a hint used for fast lookups and kept repaired. Every operation works with `index === null`.
 * Thread ids passed in must already be canonical (see `parseThreadId`).
 */
export class LocalThreadStore implements ThreadStore {
  readonly layout: HomeLayout;
  readonly names: ThreadNames;
  private readonly locks: WriterLocks;
  private readonly summaries = new Map<string, { mtimeMs: number; size: number; summary: RolloutSummary }>();

  constructor(
    home: string,
    private readonly index: ThreadIndex | null,
    private readonly deps: { clock: Clock; log: Logger },
  ) {
    this.layout = new HomeLayout(home);
    this.names = new ThreadNames(this.layout);
    this.locks = new WriterLocks(this.layout);
  }

  tryLock(threadId: string): ThreadLock | null {
    return this.locks.tryAcquire(threadId);
  }

  warm(): void {
    this.locks.warm();
  }

  newWriter(threadId: string, createdAtMs: number): ThreadWriter {
    return RolloutWriter.forNewFile(this.layout.activeRolloutPath(createdAtMs, threadId), this.deps.clock).containedIn(this.layout.home);
  }

  continueWriter(rolloutPath: string, own: RolloutContents): ThreadWriter {
    // Ordinals continue the file's: a reference fork starts at its source's length (`history_base`), not at 0.
    const ownMeta = own.lines[0]?.type === 'session_meta' ? own.lines[0] : null;
    const firstOrdinal = typeof ownMeta?.ordinal === 'number' ? ownMeta.ordinal : 0;
    const next = firstOrdinal + own.lines.length + own.skipped.length;
    return RolloutWriter.forExistingFile(rolloutPath, this.deps.clock, next, own.endsWithNewline).containedIn(this.layout.home);
  }

  readWithLineage(rolloutPath: string): Promise<ThreadLines> {
    return readThreadLines(this, rolloutPath);
  }

  readSelected(rolloutPath: string, skip: LineSkipRule): Promise<SelectedLines> {
    return readRolloutSelected(rolloutPath, skip);
  }

  readSpans(rolloutPath: string): Promise<RolloutSpans> {
    return readRolloutSpans(rolloutPath);
  }

  async fileSize(rolloutPath: string): Promise<number> {
    return (await stat(rolloutPath)).size;
  }

  appendName(threadId: string, name: string, nowMs: number): Promise<void> {
    return this.names.append(threadId, name, nowMs);
  }

  /** SPEC §8.3: the DB row's path when its file really belongs to the thread, else a filesystem search + read-repair. */
  async find(threadId: string, archived: boolean): Promise<string | null> {
    let unverified: string | null = null;
    const indexed = this.indexCall(() => this.index?.rolloutPath(threadId, archived) ?? null);
    if (indexed && this.layout.contains(indexed) && (await isContained(this.layout.home, indexed))) {
      const { result, ownerId } = await checkRolloutOwner(indexed, threadId);
      if (result === 'match') return indexed;
      if (result === 'other') this.deps.log.error({ threadId, path: indexed, ownerId }, 'state db rollout path belongs to another thread; falling back to a filesystem search');
      if (result === 'unreadable') unverified = indexed;
    }
    const found = await searchRolloutById(archived ? this.layout.archivedDir : this.layout.sessionsDir, threadId, archived);
    if (found) {
      await this.repairIndex(threadId, found, archived);
      return found;
    }
    return unverified;
  }

  /** Summary of one file, cached until its size or mtime changes; null when unreadable. */
  async summary(rolloutPath: string, forkDepth = 0): Promise<RolloutSummary | null> {
    let info;
    try {
      info = await stat(rolloutPath);
    } catch {
      return null;
    }
    const cached = this.summaries.get(rolloutPath);
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached.summary;
    let summary = await summarizeRollout(rolloutPath, this.layout.isArchivedPath(rolloutPath));
    if (summary?.forkedFromId && forkDepth < MAX_FORK_DEPTH) summary = await this.withSourcePreview(summary, forkDepth);
    if (summary) this.summaries.set(rolloutPath, { mtimeMs: info.mtimeMs, size: info.size, summary });
    return summary;
  }

  /**
   * A fork continues its source's conversation, so its preview is the source's first message. The reference
   * does not copy the source's lines into a fork (SPEC §4.5): its file alone may hold no user message at all.
   */
  private async withSourcePreview(fork: RolloutSummary, forkDepth: number): Promise<RolloutSummary> {
    const sourceId = fork.forkedFromId;
    if (!sourceId || !isCanonicalThreadId(sourceId) || sourceId === fork.id) return fork;
    const sourcePath = (await this.find(sourceId, false)) ?? (await this.find(sourceId, true));
    const source = sourcePath ? await this.summary(sourcePath, forkDepth + 1) : null;
    return source?.preview ? { ...fork, preview: source.preview } : fork;
  }

  /**
   * `storedThread` for a read that needs only what listings show: the index row when it is current for this file
   * (as `thread/list` uses it), else the file's summary. A long thread's file is then not scanned once for its
   * summary before being read in full for its turns (issue 18: a 1,000-turn read).
   */
  async listedThread(rolloutPath: string, threadId: string): Promise<StoredThread | null> {
    const summary = await this.listedSummary(rolloutPath, threadId);
    return summary ? { ...summary, name: await this.names.nameOf(summary.id) } : null;
  }

  async storedThread(rolloutPath: string): Promise<StoredThread | null> {
    const summary = await this.summary(rolloutPath);
    return summary ? { ...summary, name: await this.names.nameOf(summary.id) } : null;
  }

  /**
   * One page of threads. Sorted by creation (the default), the page comes from a lazy walk of the date
   * directories in file-name order (creation second, then id), reading only the files it needs, and files the
   * index lacks are added to it. Other sort keys come from the index when there is one, else a full scan.
   */
  async list(query: IndexListQuery, useIndexOnly: boolean): Promise<ListPage> {
    const names = await this.names.names();
    const withName = (s: RolloutSummary): StoredThread => ({ ...s, name: names.get(s.id) ?? null });
    if (this.index && (useIndexOnly || query.sortKey !== 'created_at')) {
      const rows = this.indexCall(() => this.index?.listThreads({ ...query, limit: query.limit + 1 }) ?? null);
      if (rows) {
        return {
          threads: rows.slice(0, query.limit).map((row) => ({ ...row, lineCount: 0, forkedFromId: null, name: row.name ?? names.get(row.id) ?? null })),
          more: rows.length > query.limit,
        };
      }
    }
    const descending = query.sortDirection === 'desc';
    // Date directories follow creation time, so a creation-ordered page can start at its cursor's day.
    const fromDate = query.sortKey === 'created_at' && query.after ? new Date(query.after.keyMs).toISOString().slice(0, 10) : null;
    const files = query.archived ? walkArchivedRollouts(this.layout.archivedDir, descending) : walkActiveRollouts(this.layout.sessionsDir, descending, fromDate);
    if (query.sortKey === 'created_at') return this.pageFromWalk(files, query, withName);
    const all: RolloutSummary[] = [];
    for await (const file of files) {
      const summary = await this.summary(file);
      if (summary && matchesListFilters(summary, query)) all.push(summary);
    }
    const position = (s: RolloutSummary) => ({ keyMs: sortKeyMs(s, query.sortKey), id: s.id });
    all.sort((a, b) => comparePosition(position(a), position(b), query.sortDirection));
    const after = query.after;
    const rest = after ? all.filter((s) => comparePosition(position(s), after, query.sortDirection) > 0) : all;
    return { threads: rest.slice(0, query.limit).map(withName), more: rest.length > query.limit };
  }

  private async pageFromWalk(files: AsyncGenerator<string>, query: IndexListQuery, withName: (s: RolloutSummary) => StoredThread): Promise<ListPage> {
    const threads: StoredThread[] = [];
    // The walk's order is (creation second, id): cursors on this path carry second precision (SPEC §4.8).
    const position = (s: RolloutSummary) => ({ keyMs: Math.floor(s.createdAtMs / 1000) * 1000, id: s.id });
    const after = query.after ? { keyMs: Math.floor(query.after.keyMs / 1000) * 1000, id: query.after.id } : null;
    for await (const file of files) {
      // Canonical names carry the position: files before the cursor are skipped without being read.
      const named = parseRolloutFileName(file.slice(file.lastIndexOf(path.sep) + 1));
      if (after && named && comparePosition({ keyMs: named.createdAtMs, id: named.threadId }, after, query.sortDirection) <= 0) continue;
      const summary = await this.listedSummary(file, named?.threadId ?? null);
      if (!summary) continue;
      if (after && comparePosition(position(summary), after, query.sortDirection) <= 0) continue;
      if (!matchesListFilters(summary, query)) continue;
      if (threads.length === query.limit) {
        await files.return(undefined);
        return { threads, more: true };
      }
      threads.push(withName(summary));
    }
    return { threads, more: false };
  }

  /**
   * A listed file's summary: the index row when it is current for this file (same path, written no earlier
   * than the file's last change), else the file itself, whose summary then repairs the row (scan-and-repair).
   */
  private async listedSummary(file: string, threadId: string | null): Promise<RolloutSummary | null> {
    const cached = this.summaries.get(file);
    // Synchronous: a page stats limit + 1 files, and a local `stat` costs a few µs where the fs/promises
    // thread-pool round trip costs ten times that (and more on a busy machine).
    let info;
    try {
      info = statSync(file, { throwIfNoEntry: false });
    } catch {
      return null;
    }
    if (!info) return null;
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached.summary;
    const row = threadId ? this.indexCall(() => this.index?.getThread(threadId) ?? null) : null;
    if (row && row.rolloutPath === file && row.updatedAtMs >= Math.floor(info.mtimeMs)) {
      return { ...row, lineCount: 0, forkedFromId: null };
    }
    const summary = await this.summary(file);
    if (summary) this.ensureIndexed(summary, row !== null);
    return summary;
  }

  /** Moves `sessions/…/<name>` to `archived_sessions/<name>`; never overwrites. Returns the new path. */
  async archive(threadId: string): Promise<string> {
    const from = await this.find(threadId, false);
    if (!from) throw new ThreadStoreError('no-rollout', `no rollout found for thread id ${threadId}`);
    const to = this.layout.archivedPathFor(path.basename(from));
    await moveNoReplace(this.layout.home, from, to);
    this.summaries.delete(from);
    const nowMs = this.deps.clock.nowMs();
    this.indexCall(() => this.index?.updateRolloutPath(threadId, to, true, nowMs));
    return to;
  }

  /** Moves an archived file back to its date directory; `updated_at` becomes now. Returns the new path. */
  /**
   * `thread/delete`: unlinks the thread's rollout, active or archived. Only a file `find` verified inside the home is
   * removed (a symlink is never followed out of it).
   */
  async delete(threadId: string): Promise<string | null> {
    const path = (await this.find(threadId, false)) ?? (await this.find(threadId, true));
    if (!path || !this.layout.contains(path) || !(await isContained(this.layout.home, path))) return null;
    await unlink(path);
    return path;
  }

  async unarchive(threadId: string): Promise<string> {
    const from = await this.find(threadId, true);
    if (!from) throw new ThreadStoreError('no-archived-rollout', `no archived rollout found for thread id ${threadId}`);
    const fileName = path.basename(from);
    let to = this.layout.unarchivedPathFor(fileName);
    if (!to) {
      const summary = await this.summary(from);
      if (!summary) throw new ThreadStoreError('io', `failed to read archived rollout ${from}`);
      to = this.layout.activeRolloutPath(summary.createdAtMs, threadId);
    }
    await moveNoReplace(this.layout.home, from, to);
    this.summaries.delete(from);
    const now = new Date(this.deps.clock.nowMs());
    await utimes(to, now, now).catch(() => undefined);
    this.indexCall(() => this.index?.updateRolloutPath(threadId, to, false, null));
    const summary = await this.summary(to);
    if (summary) this.indexCall(() => this.index?.recordTurn({ threadId, updatedAtMs: now.getTime(), recencyAtMs: null, tokensUsed: summary.tokensUsed, model: summary.model, firstUserMessage: null }));
    return to;
  }

  private async repairIndex(threadId: string, found: string, archived: boolean): Promise<void> {
    if (!this.index) return;
    const archivedAtMs = archived ? this.deps.clock.nowMs() : null;
    const updated = this.indexCall(() => this.index?.updateRolloutPath(threadId, found, archived, archivedAtMs) ?? false);
    if (updated) return;
    const summary = await this.summary(found);
    if (summary && summary.id === threadId) this.ensureIndexed(summary, true);
  }

  /** Adds a row for a file the index does not know (or rebuilds it when `force`). */
  private ensureIndexed(summary: RolloutSummary, force = false): void {
    if (!this.index) return;
    this.indexCall(() => {
      if (!force && this.index?.getThread(summary.id)) return;
      this.index?.upsertThread(rowFromSummary(summary));
    });
  }

  /** The index is a hint: a failing DB call is logged and answered as "no answer". */
  private indexCall<T>(call: () => T): T | null {
    try {
      return call();
    } catch (error) {
      this.deps.log.warn({ err: error }, 'state db call failed; using the filesystem');
      return null;
    }
  }
}
