import type { Worker } from 'node:worker_threads';
import type { RolloutSummary } from '../rollout/types.js';
import type { Logger } from '../support/logger.js';
import type { RolloutFile } from './rollout-files.js';
import type { SummaryReply, SummaryRequest } from './backfill-worker.js';
import { nodeWorkerThreads } from '../support/lazy-modules.js';

export type BatchSummaries = (RolloutSummary | null)[];

/**
 * Summarises backfill batches off the main thread, so reading and parsing rollouts (half of a large backfill)
 * runs on another core while the main thread writes the previous batches to SQLite (the other half).
 */
export interface BatchSummarizer {
  /** How many batches the backfill keeps in flight ahead of the one it is writing. */
  readonly lookahead: number;
  /**
   * The summaries of `batch` in order, identical to the in-thread summariser's; never rejects. A file a worker
   * cannot summarise is null (failed), and so is every file of a batch sent to a worker that then died; a batch
   * a worker never received (it died while loading) is summarised in this thread instead.
   */
  summarize(batch: readonly RolloutFile[]): Promise<BatchSummaries>;
  /** Stops the workers; batches still pending resolve as failed. */
  close(): Promise<void>;
}

export interface SummaryPoolOptions {
  /** The worker entry (`backfill-worker.js` of the same build). */
  workerUrl: URL;
  /** Worker threads to start (at least 1). */
  size: number;
  /** Collect the visible texts for the search index. */
  withText: boolean;
  /** The in-thread summariser, for batches no worker can take. */
  inThread: (batch: readonly RolloutFile[]) => Promise<BatchSummaries>;
  log: Logger;
}

interface Pending {
  batch: readonly RolloutFile[];
  resolve: (summaries: BatchSummaries) => void;
}

interface PoolWorker {
  worker: Worker;
  ready: boolean;
  dead: boolean;
  /** Batches sent to the thread, by request id. */
  pending: Map<number, Pending>;
  /** Batches waiting for the thread to load; sent once it reports ready, never before. */
  queued: Pending[];
}

/** Starts `size` summariser threads; they load while the caller lists the files. */
export function startSummaryPool(options: SummaryPoolOptions): BatchSummarizer {
  const { log } = options;
  let nextId = 0;
  let closing = false;
  const workers: PoolWorker[] = [];

  const send = (entry: PoolWorker, pending: Pending): void => {
    const id = nextId;
    nextId += 1;
    entry.pending.set(id, pending);
    const request: SummaryRequest = { id, files: pending.batch.map((f) => [f.path, f.archived]), withText: options.withText };
    entry.worker.postMessage(request);
  };

  const fail = (entry: PoolWorker, reason: string): void => {
    if (entry.dead) return;
    entry.dead = true;
    const sent = [...entry.pending.values()];
    const queued = entry.queued;
    entry.pending.clear();
    entry.queued = [];
    void entry.worker.terminate();
    if (closing) {
      for (const p of [...sent, ...queued]) p.resolve(p.batch.map(() => null));
      return;
    }
    // Batches it never received are summarised here, as if there were no pool.
    if (!entry.ready) log.warn(`backfill summariser thread failed to start (${reason}); summarising in the main thread`);
    for (const p of queued) void options.inThread(p.batch).then(p.resolve);
    if (sent.length === 0) return;
    // A thread that died while reading may have died because of one of these files: they count as failed,
    // like a file the in-thread summariser throws on, and the backfill moves on.
    const files = sent.reduce((n, p) => n + p.batch.length, 0);
    log.warn(`backfill summariser thread failed (${reason}); ${files} rollout files counted as failed`);
    for (const p of sent) p.resolve(p.batch.map(() => null));
  };

  for (let i = 0; i < Math.max(1, options.size); i += 1) {
    const worker = new (nodeWorkerThreads().Worker)(options.workerUrl);
    const entry: PoolWorker = { worker, ready: false, dead: false, pending: new Map(), queued: [] };
    worker.on('message', (reply: SummaryReply) => {
      if ('ready' in reply) {
        if (entry.dead) return;
        entry.ready = true;
        for (const p of entry.queued.splice(0)) send(entry, p);
        return;
      }
      const pending = entry.pending.get(reply.id);
      if (!pending) return;
      entry.pending.delete(reply.id);
      pending.resolve(reply.summaries);
    });
    worker.on('messageerror', (err) => fail(entry, String(err)));
    worker.on('error', (err) => fail(entry, String(err)));
    worker.on('exit', (code) => fail(entry, `exited with code ${code}`));
    workers.push(entry);
  }

  return {
    lookahead: 2 * workers.length,
    summarize(batch) {
      const alive = workers.filter((w) => !w.dead);
      if (closing || alive.length === 0) return options.inThread(batch);
      const load = (w: PoolWorker): number => w.pending.size + w.queued.length;
      const entry = alive.reduce((a, b) => (load(b) < load(a) ? b : a));
      return new Promise<BatchSummaries>((resolve) => {
        if (entry.ready) send(entry, { batch, resolve });
        else entry.queued.push({ batch, resolve });
      });
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}
