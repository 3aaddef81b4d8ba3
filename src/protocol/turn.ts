/**
 * `Turn` and `TurnError` as emitted in `turn/start` results, `turn/started`, `turn/completed` and
 * `thread.turns` (SPEC §3). Key order is the order of the shapes below; producers build them with object
 * literals in that order.
 */
import { z } from 'zod';
import { ThreadItemSchema } from './thread-item.js';

/** Turn life cycle. */
export const TurnStatusSchema = z.enum(['completed', 'interrupted', 'failed', 'inProgress']);
/** Type of {@link TurnStatusSchema}. */
export type TurnStatus = z.infer<typeof TurnStatusSchema>;

/** How much of `items` a turn payload carries: none, the final agent message only, or everything. */
export const TurnItemsViewSchema = z.enum(['notLoaded', 'summary', 'full']);
/** Type of {@link TurnItemsViewSchema}. */
export type TurnItemsView = z.infer<typeof TurnItemsViewSchema>;

/** The string codes of `codexErrorInfo` known to 0.169.0. */
export const CODEX_ERROR_CODES = [
  'contextWindowExceeded',
  'sessionBudgetExceeded',
  'usageLimitExceeded',
  'rateLimitExceeded',
  'flexUnavailable',
  'serverOverloaded',
  'modelNotFound',
  'policyCapacityUnavailable',
  'cyberPolicy',
  'misalignmentPolicyViolation',
  'tooManyDenials',
  'internalServerError',
  'unauthorized',
  'badRequest',
  'threadRollbackFailed',
  'sandboxError',
  'other',
  'inferenceHookDenied',
] as const;

const httpStatus = z.object({ httpStatusCode: z.number().int().min(0).max(65535).nullable() });

/**
 * Machine-readable error class: a code string (`"internalServerError"`, `"other"`, …) or an object such as
 * `{"httpConnectionFailed":{"httpStatusCode":401}}`. Like the reference schema, any string or object is
 * allowed so that newer codes pass through.
 */
export const CodexErrorInfoSchema = z.union([
  z.enum(CODEX_ERROR_CODES),
  z.strictObject({ httpConnectionFailed: httpStatus }),
  z.strictObject({ responseStreamConnectionFailed: httpStatus }),
  z.strictObject({ responseStreamDisconnected: httpStatus }),
  z.strictObject({ responseTooManyFailedAttempts: httpStatus }),
  z.strictObject({ activeTurnNotSteerable: z.object({ turnKind: z.enum(['review', 'compact']) }) }),
  z.string(),
  z.record(z.string(), z.unknown()),
]);
/** Type of {@link CodexErrorInfoSchema}. */
export type CodexErrorInfo = z.infer<typeof CodexErrorInfoSchema>;

/**
 * A turn failure: `{"message","codexErrorInfo","additionalDetails","misalignment"}`.
 * `additionalDetails` is `null` on final errors; `misalignment` is always `null` here.
 */
export const TurnErrorSchema = z.object({
  message: z.string(),
  codexErrorInfo: CodexErrorInfoSchema.nullable(),
  additionalDetails: z.string().nullable(),
  misalignment: z
    .object({
      detailedExplanation: z.string().nullable().optional(),
      errorType: z.string().nullable().optional(),
      reviewTarget: z.string().nullable().optional(),
      steer: z.object({ message: z.string() }).nullable().optional(),
    })
    .nullable(),
});
/** Type of {@link TurnErrorSchema}. */
export type TurnError = z.infer<typeof TurnErrorSchema>;

/**
 * One turn: `{"id","rootTurnId","items","itemsView","status","error","startedAt","completedAt","durationMs"}`.
 * `rootTurnId` = `id` for turns started over this API; times are unix s, `durationMs` ms, `null` until known.
 */
export const TurnSchema = z.object({
  id: z.string(),
  rootTurnId: z.string().nullable(),
  items: z.array(ThreadItemSchema),
  itemsView: TurnItemsViewSchema,
  status: TurnStatusSchema,
  error: TurnErrorSchema.nullable(),
  startedAt: z.number().int().nullable(),
  completedAt: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
});
/** Type of {@link TurnSchema}. */
export type Turn = z.infer<typeof TurnSchema>;
