/**
 * The provider's rate-limit headers, read the way the reference 0.169.0 reads them (observed with a probe mock on
 * both servers, and its `codex-api` rate-limit parser):
 *
 * - a family per `x-<family>-primary-used-percent` header: `x-codex-…` is the family `codex`, always parsed first;
 *   the others (`x-codex-bengalfox-…` → `codex_bengalfox`) follow in name order and only when they carry a window or
 *   credits;
 * - a window (`-primary-` / `-secondary-`) needs a finite `used-percent` and is dropped when it is `0` with no
 *   (or a zero) `window-minutes` and no `reset-at`; `window-minutes` and `reset-at` are integers or absent
 *   (`reset-after-seconds` is not read);
 * - credits come from the unprefixed `x-codex-credits-has-credits` / `-unlimited` (both needed, `true`/`false`/`1`/`0`)
 *   and a trimmed, non-empty `x-codex-credits-balance`, for every family;
 * - `x-<family>-limit-name`, trimmed, names the family; plan type and the reached type are never taken from a 200.
 */

/** One rate-limit window as the provider reported it (`usedPercent` unrounded). */
export interface RateLimitWindow {
  usedPercent: number;
  windowMinutes: number | null;
  resetsAt: number | null;
}

export interface CreditsSnapshot {
  hasCredits: boolean;
  unlimited: boolean;
  balance: string | null;
}

/** The reference's `RateLimitReachedType`, as the `x-codex-rate-limit-reached-type` header spells it. */
export const RATE_LIMIT_REACHED_TYPES = [
  'rate_limit_reached',
  'workspace_owner_credits_depleted',
  'workspace_member_credits_depleted',
  'workspace_owner_usage_limit_reached',
  'workspace_member_usage_limit_reached',
] as const;
export type RateLimitReachedType = (typeof RATE_LIMIT_REACHED_TYPES)[number];

export interface RateLimitSnapshot {
  limitId: string;
  limitName: string | null;
  primary: RateLimitWindow | null;
  secondary: RateLimitWindow | null;
  credits: CreditsSnapshot | null;
  planType: string | null;
  rateLimitReachedType: RateLimitReachedType | null;
}

/** What the parser needs of an HTTP answer's headers (names in lower case). */
export interface HeaderSource extends HeaderValues {
  /** Every header name, lower case (a fetch `Headers` has it). */
  keys(): Iterable<string>;
}

/** Header lookup by lower-case name. */
export interface HeaderValues {
  get(name: string): string | null;
}

/** The snapshot the reference reports before any header was seen. */
export function emptyRateLimits(limitId = 'codex'): RateLimitSnapshot {
  return { limitId, limitName: null, primary: null, secondary: null, credits: null, planType: null, rateLimitReachedType: null };
}

const USED_SUFFIX = '-primary-used-percent';
/** Rust's `f64::from_str` without `inf`/`nan` (they are dropped as not finite anyway). */
const FLOAT_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INT_PATTERN = /^[+-]?\d+$/;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

function parseFloatHeader(headers: HeaderValues, name: string): number | null {
  const raw = headers.get(name);
  if (raw === null || !FLOAT_PATTERN.test(raw)) return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value : null;
}

function parseIntHeader(headers: HeaderValues, name: string): number | null {
  const raw = headers.get(name);
  if (raw === null || !INT_PATTERN.test(raw)) return null;
  const value = BigInt(raw);
  return value < I64_MIN || value > I64_MAX ? null : Number(value);
}

function parseBoolHeader(headers: HeaderValues, name: string): boolean | null {
  const raw = headers.get(name);
  if (raw === null) return null;
  if (raw.toLowerCase() === 'true' || raw === '1') return true;
  if (raw.toLowerCase() === 'false' || raw === '0') return false;
  return null;
}

function trimmedHeader(headers: HeaderValues, name: string): string | null {
  const value = headers.get(name)?.trim();
  return value ? value : null;
}

function parseWindow(headers: HeaderValues, prefix: string): RateLimitWindow | null {
  const usedPercent = parseFloatHeader(headers, `${prefix}-used-percent`);
  if (usedPercent === null) return null;
  const windowMinutes = parseIntHeader(headers, `${prefix}-window-minutes`);
  const resetsAt = parseIntHeader(headers, `${prefix}-reset-at`);
  const hasData = usedPercent !== 0 || (windowMinutes !== null && windowMinutes !== 0) || resetsAt !== null;
  return hasData ? { usedPercent, windowMinutes, resetsAt } : null;
}

function parseCredits(headers: HeaderValues): CreditsSnapshot | null {
  const hasCredits = parseBoolHeader(headers, 'x-codex-credits-has-credits');
  const unlimited = parseBoolHeader(headers, 'x-codex-credits-unlimited');
  if (hasCredits === null || unlimited === null) return null;
  return { hasCredits, unlimited, balance: trimmedHeader(headers, 'x-codex-credits-balance') };
}

function normalizeLimitId(name: string): string {
  return name.trim().toLowerCase().replaceAll('-', '_');
}

/** One family's snapshot; `limitId` null or blank means `codex`. */
export function parseRateLimitsFor(headers: HeaderValues, limitId: string | null): RateLimitSnapshot {
  const family = (limitId?.trim() || 'codex').toLowerCase().replaceAll('_', '-');
  const prefix = `x-${family}`;
  return {
    ...emptyRateLimits(normalizeLimitId(family)),
    limitName: trimmedHeader(headers, `${prefix}-limit-name`),
    primary: parseWindow(headers, `${prefix}-primary`),
    secondary: parseWindow(headers, `${prefix}-secondary`),
    credits: parseCredits(headers),
  };
}

/** Every family the headers carry: `codex` first, then the others by name. */
export function parseRateLimitUpdates(headers: HeaderSource): RateLimitSnapshot[] {
  const ids = new Set<string>();
  for (const name of headers.keys()) {
    const lower = name.toLowerCase();
    if (!lower.endsWith(USED_SUFFIX) || !lower.startsWith('x-')) continue;
    const id = normalizeLimitId(lower.slice(2, -USED_SUFFIX.length));
    if (id !== 'codex') ids.add(id);
  }
  const others = [...ids].sort().map((id) => parseRateLimitsFor(headers, id));
  return [parseRateLimitsFor(headers, null), ...others.filter((s) => s.primary !== null || s.secondary !== null || s.credits !== null)];
}

/** Reference behaviour: a new snapshot without credits or plan type keeps the previous ones. */
export function mergeRateLimits(previous: RateLimitSnapshot | null, next: RateLimitSnapshot): RateLimitSnapshot {
  return { ...next, credits: next.credits ?? previous?.credits ?? null, planType: next.planType ?? previous?.planType ?? null };
}

/** The `x-codex-rate-limit-reached-type` header when it names a known type. */
export function parseReachedType(headers: HeaderValues): RateLimitReachedType | null {
  const raw = headers.get('x-codex-rate-limit-reached-type');
  return (RATE_LIMIT_REACHED_TYPES as readonly string[]).includes(raw ?? '') ? (raw as RateLimitReachedType) : null;
}
