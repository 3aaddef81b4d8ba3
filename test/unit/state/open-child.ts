/**
 * Entry point of a child process that opens a home's state DB once and reports what happened as one JSON
 * line on stdout. Bundled by `child-process.ts`; used where a test needs another OS process (concurrent
 * start-up, a user that cannot write the home).
 */
import { openStateDb } from '../../../src/state/index.js';
import { systemClock } from '../../../src/support/clock.js';
import type { Logger } from '../../../src/support/logger.js';

async function main(): Promise<void> {
  const home = process.argv[2] as string;
  const options = JSON.parse(process.argv[3] ?? '{}') as { backfillWaitMs?: number; backfillPollMs?: number; startAtMs?: number };
  const warnings: string[] = [];
  const log = {
    warn: (msg: unknown) => void warnings.push(String(msg)),
    error: (msg: unknown) => void warnings.push(String(msg)),
    info: () => undefined,
    debug: () => undefined,
    child: () => log,
  } as unknown as Logger;
  // Line the processes up so they really open at the same moment.
  if (options.startAtMs) await new Promise((resolve) => setTimeout(resolve, Math.max(0, options.startAtMs! - Date.now())));
  const db = await openStateDb(home, { clock: systemClock, log, ...options });
  const result = db
    ? { ok: true, startup: db.startup, backfill: db.backfillState() }
    : { ok: false };
  db?.close();
  process.stdout.write(JSON.stringify({ ...result, warnings }) + '\n');
}

void main();
