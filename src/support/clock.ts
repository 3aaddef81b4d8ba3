/** Source of wall-clock time. Injected so tests can pin time and nothing below main reads Date.now() directly. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** RFC 3339 UTC with milliseconds and `Z`, the format every rollout timestamp uses. */
export function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}

export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
