/**
 * HTTP 429 answers that are not plain rate limiting: `{"error": {"type": "usage_limit_reached" | "usage_not_included",
 * …}}`. Texts and plan groups observed on the reference 0.169.0 (every plan type of the v2 schema sent through a
 * probe mock); the parse is strict as the reference's serde struct is: a non-string `type` or `plan_type`, a
 * non-integer `resets_at` or a body without an `error` object falls back to the plain 429 (`exceeded retry limit`).
 */
import { parseRateLimitsFor, parseReachedType, type HeaderValues, type RateLimitReachedType, type RateLimitSnapshot } from './rate-limits.js';

export const USAGE_NOT_INCLUDED_MESSAGE =
  'To use Codex with your ChatGPT plan, upgrade to Plus: https://chatgpt.com/explore/plus.';

const PRO_UPSELL_PLANS = new Set(['plus']);
const CREDITS_PLANS = new Set(['pro', 'prolite', 'promax']);
const ADMIN_PLANS = new Set([
  'team', 'self_serve_business_prolite', 'self_serve_business_usage_based', 'business', 'ent26',
  'enterprise_cbp_automation', 'enterprise_cbp_usage_based', 'sci', 'sci_plus',
]);
const PLUS_UPSELL_PLANS = new Set(['free', 'go']);

const REACHED_TYPE_MESSAGES: Partial<Record<RateLimitReachedType, string>> = {
  workspace_owner_credits_depleted: 'Your workspace is out of credits. Add credits to continue.',
  workspace_member_credits_depleted: 'Your workspace is out of credits. Ask your workspace owner to refill in order to continue.',
  workspace_owner_usage_limit_reached: 'You hit your spend cap set in your workspace. Increase your spend cap to continue.',
  workspace_member_usage_limit_reached: 'You hit your spend cap set by the owner of your workspace. Ask an owner to increase your spend cap to continue.',
};

/** A usage-limit 429 as the turn reports it: the text and the snapshot of its headers (for `usage_limit_reached`). */
export interface UsageLimitFailure {
  message: string;
  rateLimits: RateLimitSnapshot | null;
}

/** chrono's representable range, in seconds: a `resets_at` outside it is dropped. */
const MAX_RESET_SECONDS = 8_210_298_412_799;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function daySuffix(day: number): string {
  if (day >= 11 && day <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][day % 10] ?? 'th';
}

/** `5:46 PM` on the same local day, else `Mar 17th, 2030 5:46 PM` (local time, as the reference). */
export function formatRetryTime(resetsAtMs: number, nowMs: number): string {
  const at = new Date(resetsAtMs);
  const now = new Date(nowMs);
  const hours = at.getHours() % 12 === 0 ? 12 : at.getHours() % 12;
  const time = `${hours}:${String(at.getMinutes()).padStart(2, '0')} ${at.getHours() < 12 ? 'AM' : 'PM'}`;
  const sameDay = at.getFullYear() === now.getFullYear() && at.getMonth() === now.getMonth() && at.getDate() === now.getDate();
  if (sameDay) return time;
  return `${MONTHS[at.getMonth()]} ${at.getDate()}${daySuffix(at.getDate())}, ${at.getFullYear()} ${time}`;
}

function usageLimitMessage(planType: string | null, resetsAtMs: number | null, rateLimits: RateLimitSnapshot, promo: string | null, nowMs: number): string {
  const at = resetsAtMs === null ? null : formatRetryTime(resetsAtMs, nowMs);
  const orRetry = at === null ? ' or try again later.' : ` or try again at ${at}.`;
  const retry = at === null ? ' Try again later.' : ` Try again at ${at}.`;
  const name = rateLimits.limitName?.trim();
  if (name && name.toLowerCase() !== 'codex') return `You\u2019ve hit your usage limit for ${name}. Switch to another model now,${orRetry}`;
  const reached = rateLimits.rateLimitReachedType === null ? undefined : REACHED_TYPE_MESSAGES[rateLimits.rateLimitReachedType];
  if (reached) return reached;
  if (promo !== null) return `You\u2019ve hit your usage limit. ${promo},${orRetry}`;
  const plan = planType ?? '';
  if (PRO_UPSELL_PLANS.has(plan)) return `You\u2019ve hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/settings/usage to purchase more credits${orRetry}`;
  if (ADMIN_PLANS.has(plan)) return `You\u2019ve hit your usage limit. To get more access now, send a request to your admin${orRetry}`;
  if (PLUS_UPSELL_PLANS.has(plan)) return `You\u2019ve hit your usage limit. Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus),${orRetry}`;
  if (CREDITS_PLANS.has(plan)) return `You\u2019ve hit your usage limit. Visit https://chatgpt.com/settings/usage to purchase more credits${orRetry}`;
  return `You\u2019ve hit your usage limit.${retry}`;
}

const isOptional = (value: unknown, type: 'string'): boolean => value === undefined || value === null || typeof value === type;

/** The usage-limit reading of a 429 body, or `null` when it is a plain 429. */
export function usageLimitFailure(body: string, headers: HeaderValues, nowMs: number): UsageLimitFailure | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const error = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['error'] : undefined;
  if (typeof error !== 'object' || error === null || Array.isArray(error)) return null;
  const { type, plan_type: planType, resets_at: resetsAt } = error as Record<string, unknown>;
  if (!isOptional(type, 'string') || !isOptional(planType, 'string')) return null;
  if (resetsAt !== undefined && resetsAt !== null && !Number.isInteger(resetsAt)) return null;
  if (type === 'usage_not_included') return { message: USAGE_NOT_INCLUDED_MESSAGE, rateLimits: null };
  if (type !== 'usage_limit_reached') return null;
  const rateLimits = { ...parseRateLimitsFor(headers, headers.get('x-codex-active-limit')), rateLimitReachedType: parseReachedType(headers) };
  const promo = headers.get('x-codex-promo-message')?.trim() || null;
  const seconds = typeof resetsAt === 'number' && Math.abs(resetsAt) <= MAX_RESET_SECONDS ? resetsAt : null;
  const message = usageLimitMessage(typeof planType === 'string' ? planType : null, seconds === null ? null : seconds * 1000, rateLimits, promo, nowMs);
  return { message, rateLimits };
}
