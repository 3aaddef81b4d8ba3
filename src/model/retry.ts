/** Backoff arithmetic and the default abortable sleep used between retries (SPEC §6 Retries). */

const INITIAL_DELAY_MS = 200;
/** Reference behaviour: a whole-request retry never waits longer than this, whatever the backoff says. */
export const STREAM_RETRY_MAX_DELAY_MS = 5_000;

/** Sleeps `ms`, rejecting as soon as `signal` aborts. Never leaves a timer behind. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/**
 * Delay before retry number `attempt` (1-based): 200 ms × 2^(attempt−1), times a jitter in [0.9, 1.1)
 * drawn from `random` (a `Math.random`-like source in [0, 1)).
 */
export function backoffMs(attempt: number, random: () => number): number {
  const base = INITIAL_DELAY_MS * 2 ** Math.max(0, attempt - 1);
  return Math.floor(base * (0.9 + 0.2 * random()));
}

export const defaultSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
