/**
 * The SQLite state DB (`CODEX_HOME/state_5.sqlite`): `openStateDb` is the only way to get a handle, and
 * `StateDb` implements the rollout store's `ThreadIndex` port.
 */
export { openStateDb, STATE_DB_FILE, BUSY_TIMEOUT_MS, type OpenStateDbOptions } from './open.js';
export { StateDb, type StateDbStartup } from './state-db.js';
export { THREAD_HISTORY_DB_FILE, ThreadHistoryStore } from './history-projection-store.js';
export type { BackfillStats, Summarize } from './backfill.js';
export { BACKFILL_LEASE_SECONDS, type BackfillState, type BackfillStatus, type ClaimOutcome } from './lease.js';
export { BACKFILL_POLL_MS, BACKFILL_WAIT_MS } from './startup.js';
export type { ReadReceipt } from './read-receipts.js';
export type { SpawnEdgeStatus } from './spawn-edges.js';
export { DEFAULT_MODEL_PROVIDER } from './thread-rows.js';
