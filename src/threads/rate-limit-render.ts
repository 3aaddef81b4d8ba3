/**
 * A rate-limit snapshot in its two spellings: the `account/rateLimits/updated` notification (camelCase, the used
 * percentage rounded to an integer as the reference's v2 protocol does: half away from zero, saturating to i32) and
 * the rollout's `token_count.rate_limits` (snake_case, unrounded). See model/rate-limits.ts for how it is read.
 */
import { emptyRateLimits, type RateLimitSnapshot, type RateLimitWindow } from '../model/rate-limits.js';
import type { JsonObject } from '../support/json-values.js';

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/** Rust's `f64::round() as i32`. */
export function roundPercent(value: number): number {
  const rounded = Math.sign(value) * Math.round(Math.abs(value));
  return Math.min(I32_MAX, Math.max(I32_MIN, rounded)) || 0;
}

function wireWindow(w: RateLimitWindow | null): JsonObject | null {
  return w === null ? null : { usedPercent: roundPercent(w.usedPercent), windowDurationMins: w.windowMinutes, resetsAt: w.resetsAt };
}

function rolloutWindow(w: RateLimitWindow | null): JsonObject | null {
  return w === null ? null : { used_percent: w.usedPercent, window_minutes: w.windowMinutes, resets_at: w.resetsAt };
}

/** Params of `account/rateLimits/updated`; `null` is the snapshot before any header was seen. */
export function rateLimitsNotification(snapshot: RateLimitSnapshot | null): JsonObject {
  const s = snapshot ?? emptyRateLimits();
  const credits = s.credits === null ? null : { hasCredits: s.credits.hasCredits, unlimited: s.credits.unlimited, balance: s.credits.balance };
  return {
    rateLimits: {
      limitId: s.limitId, limitName: s.limitName, normalModelSlug: null, primary: wireWindow(s.primary), secondary: wireWindow(s.secondary),
      credits, individualLimit: null, spendControlReached: null, planType: s.planType, rateLimitReachedType: s.rateLimitReachedType,
    },
  };
}

/** `rate_limits` of a rollout `token_count` line. */
export function rateLimitsRollout(snapshot: RateLimitSnapshot | null): JsonObject {
  const s = snapshot ?? emptyRateLimits();
  const credits = s.credits === null ? null : { has_credits: s.credits.hasCredits, unlimited: s.credits.unlimited, balance: s.credits.balance };
  return {
    limit_id: s.limitId, limit_name: s.limitName, primary: rolloutWindow(s.primary), secondary: rolloutWindow(s.secondary), credits,
    individual_limit: null, spend_control_reached: null, plan_type: s.planType, rate_limit_reached_type: s.rateLimitReachedType,
  };
}
