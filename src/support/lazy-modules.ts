import { createRequire } from 'node:module';

/**
 * Modules that start-up does not need, loaded on first use instead: every process pays for what it loads before it
 * answers `initialize` (eight processes started at once share two cores), and these are only needed by a turn, a
 * tool, a search or a backfill. `require` caches what it loaded: later calls cost a map lookup.
 * `require`, not `import()`: the callers are synchronous, and the bundled server (dist/server.cjs) runs without a
 * dynamic-import callback.
 */
let requireModule: NodeJS.Require | undefined;

/** Made on first use: a CommonJS bundle of these sources (a test harness) has no `import.meta.url` to make it from. */
function load<T>(id: string): T {
  requireModule ??= createRequire(import.meta.url);
  return requireModule(id) as T;
}

/** node:crypto (≈ 17 internal modules): ids, hashes and temporary names are made on requests, not at start-up. */
export const nodeCrypto = (): typeof import('node:crypto') => load('node:crypto');
/** node:child_process: the first command a tool runs. */
export const nodeChildProcess = (): typeof import('node:child_process') => load('node:child_process');
/** node:worker_threads: a backfill large enough for its summariser threads. */
export const nodeWorkerThreads = (): typeof import('node:worker_threads') => load('node:worker_threads');
/** node:http: the status texts of a failed model request (the request itself loads it through `http-fetch.ts`). */
export const nodeHttp = (): typeof import('node:http') => load('node:http');
/** node:v8: the daemon's memory flags, set once start-up is over (`memory-flags.ts`). */
export const nodeV8 = (): typeof import('node:v8') => load('node:v8');
