import { nodeV8 } from './lazy-modules.js';

/**
 * Memory bounded by design (issue 18): a daemon that runs all day should not let V8 keep garbage it could collect.
 * - The young generation stays at its size instead of doubling up to 2 × 16 MiB under a steady allocation rate
 *   (turns, reads): 30 MiB of RSS that V8 otherwise keeps for the life of the process.
 * - The old generation grows by 15 % per full GC instead of V8's 1.1–4×, so dead request and history data are
 *   collected before they pile up.
 *
 * Applied once start-up is over, i.e. `delayMs` after the state DB is open: during start-up they cost CPU (more,
 * smaller collections while the bundle is compiled, the database opened, and above all during a backfill: ≈ 1 s
 * more of the main thread's CPU over 100,000 rollouts), and changing flags before the bundle's compile would make
 * V8 reject its code cache. Not in the build's warm-up run (`CODEX_APP_SERVER_WRITE_CODE_CACHE=1`): the code cache
 * written at its exit must carry the flags a normal start compiles with. The timer is unref'd: it never keeps the
 * process alive.
 */
export function scheduleDaemonMemoryFlags(env: NodeJS.ProcessEnv, delayMs = 1000): void {
  if (env['CODEX_APP_SERVER_WRITE_CODE_CACHE'] === '1') return;
  setTimeout(() => {
    // node:v8 loads here, not at start-up.
    const v8 = nodeV8();
    v8.setFlagsFromString('--semi-space-growth-factor=1');
    v8.setFlagsFromString('--heap-growing-percent=15');
  }, delayMs).unref();
}
