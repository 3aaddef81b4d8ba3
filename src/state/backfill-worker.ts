/**
 * Entry point of a backfill summariser thread (see `backfill-pool.ts`). It answers each request with the summaries
 * of the listed files, in order, exactly as `summarizeRolloutSync` computes them on the main thread (null for a file
 * that cannot be summarised), and announces itself with `{ ready: true }` once its code is loaded.
 */
import { parentPort } from 'node:worker_threads';
import { summarizeRolloutSync } from '../rollout/summary.js';
import type { RolloutSummary } from '../rollout/types.js';

/** A request: files as `[path, archived]`, and whether to collect the visible texts for the search index. */
export interface SummaryRequest {
  id: number;
  files: [string, boolean][];
  withText: boolean;
}

export type SummaryReply = { ready: true } | { id: number; summaries: (RolloutSummary | null)[] };

const port = parentPort;
if (port) {
  port.on('message', (request: SummaryRequest) => {
    const summaries = request.files.map(([file, archived]) => {
      try {
        return summarizeRolloutSync(file, archived, { withText: request.withText });
      } catch {
        return null;
      }
    });
    port.postMessage({ id: request.id, summaries } satisfies SummaryReply);
  });
  port.postMessage({ ready: true } satisfies SummaryReply);
}
