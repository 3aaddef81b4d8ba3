/** Source of wall-clock time. Injected so tests can pin time and nothing below main reads Date.now() directly. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/**
 * Milliseconds on a monotonic clock, as `performance.now()` counts them but from another origin: start-up's waits use
 * this because the first use of the `performance` global loads perf_hooks (≈ 9 internal modules in every process).
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** RFC 3339 UTC with milliseconds and `Z`, the format every rollout timestamp uses. */
export function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}

export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
