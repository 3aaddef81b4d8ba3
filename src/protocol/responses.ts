/**
 * Results of the methods this server implements (SPEC §4). Key order is the order of the shapes below
 * (the reference's serde struct order); producers build results with object literals in that order.
 * `ModelListResponse` lives in `model.ts`. Schema side only (the decode path does not import this module).
 */
import { z } from 'zod';
import {
  ApprovalsReviewerSchema,
  AskForApprovalSchema,
  CollaborationModeSchema,
  MultiAgentModeSchema,
  ReasoningEffortSchema,
  SandboxPolicySchema,
} from './param-schemas.js';
import { RateLimitSnapshotSchema } from './notifications.js';
import { ReadStateSchema, ThreadSchema } from './thread.js';
import { TurnSchema } from './turn.js';

/**
 * `initialize` result. Wire key order: `userAgent, codexHome, platformFamily, platformOs` — build it with
 * an object literal in that order.
 */
export const InitializeResponseSchema = z.object({
  userAgent: z.string(),
  codexHome: z.string(),
  platformFamily: z.string(),
  platformOs: z.string(),
});
/** Type of {@link InitializeResponseSchema}. */
export type InitializeResponse = z.infer<typeof InitializeResponseSchema>;

/** `{"id","extends"}` of the permission profile in force (`null` in everything this server builds). */
const ActivePermissionProfileSchema = z.object({ id: z.string(), extends: z.string().nullable().optional() });

/**
 * Shape shared by the start, resume and fork results up to `reasoningEffort`:
 * `thread, model, modelProvider, serviceTier, disabledPluginIds, cwd, runtimeWorkspaceRoots,
 * instructionSources, approvalPolicy, approvalsReviewer, sandbox, activePermissionProfile, reasoningEffort`.
 */
const loadedThreadShape = {
  thread: ThreadSchema,
  model: z.string(),
  modelProvider: z.string(),
  serviceTier: z.string().nullable(),
  disabledPluginIds: z.array(z.string()),
  cwd: z.string(),
  runtimeWorkspaceRoots: z.array(z.string()),
  instructionSources: z.array(z.string()),
  approvalPolicy: AskForApprovalSchema,
  approvalsReviewer: ApprovalsReviewerSchema,
  sandbox: SandboxPolicySchema,
  activePermissionProfile: ActivePermissionProfileSchema.nullable(),
  reasoningEffort: ReasoningEffortSchema.nullable(),
};

/** `thread/start` result; ends with `multiAgentMode: "explicitRequestOnly"`. */
export const ThreadStartResponseSchema = z.object({ ...loadedThreadShape, multiAgentMode: MultiAgentModeSchema });
/** Type of {@link ThreadStartResponseSchema}. */
export type ThreadStartResponse = z.infer<typeof ThreadStartResponseSchema>;

/** `thread/fork` result: start-shaped (thread with the new id and `forkedFromId`). */
export const ThreadForkResponseSchema = z.object({ ...loadedThreadShape, multiAgentMode: MultiAgentModeSchema });
/** Type of {@link ThreadForkResponseSchema}. */
export type ThreadForkResponse = z.infer<typeof ThreadForkResponseSchema>;

/** A page of turns (`initialTurnsPage`; always `null` in this server's resume results). */
export const TurnsPageSchema = z.object({
  data: z.array(TurnSchema),
  nextCursor: z.string().nullable(),
  backwardsCursor: z.string().nullable(),
});

/**
 * `thread/resume` result: start-shaped, then `collaborationMode` after `reasoningEffort`, then
 * `multiAgentMode, initialTurnsPage, turnsBackwardsCursor, itemsBackwardsCursor` (cursors are JSON text).
 */
export const ThreadResumeResponseSchema = z.object({
  ...loadedThreadShape,
  collaborationMode: CollaborationModeSchema.nullable(),
  multiAgentMode: MultiAgentModeSchema,
  initialTurnsPage: TurnsPageSchema.nullable(),
  turnsBackwardsCursor: z.string().nullable(),
  itemsBackwardsCursor: z.string().nullable(),
});
/** Type of {@link ThreadResumeResponseSchema}. */
export type ThreadResumeResponse = z.infer<typeof ThreadResumeResponseSchema>;

/** `thread/archive` result: `{}`. */
export const ThreadArchiveResponseSchema = z.object({});
/** Type of {@link ThreadArchiveResponseSchema}. */
export type ThreadArchiveResponse = z.infer<typeof ThreadArchiveResponseSchema>;

/** `thread/unarchive` result: the thread in its not-loaded form with `turns: []`. */
export const ThreadUnarchiveResponseSchema = z.object({ thread: ThreadSchema });
/** Type of {@link ThreadUnarchiveResponseSchema}. */
export type ThreadUnarchiveResponse = z.infer<typeof ThreadUnarchiveResponseSchema>;

/** `thread/list` result: `{data, readStates, nextCursor, backwardsCursor}`; `readStates` is keyed by thread id. */
export const ThreadListResponseSchema = z.object({
  data: z.array(ThreadSchema),
  readStates: z.record(z.string(), ReadStateSchema).nullable(),
  nextCursor: z.string().nullable(),
  backwardsCursor: z.string().nullable(),
});
/** Type of {@link ThreadListResponseSchema}. */
export type ThreadListResponse = z.infer<typeof ThreadListResponseSchema>;

/** `thread/read` result: `{thread, readState}` (`readState` `null` for a thread with no rollout yet). */
export const ThreadReadResponseSchema = z.object({ thread: ThreadSchema, readState: ReadStateSchema.nullable() });
/** Type of {@link ThreadReadResponseSchema}. */
export type ThreadReadResponse = z.infer<typeof ThreadReadResponseSchema>;

/** `thread/loaded/list` result: loaded thread ids ascending, `nextCursor` = last id of the page or `null`. */
export const ThreadLoadedListResponseSchema = z.object({ data: z.array(z.string()), nextCursor: z.string().nullable() });
/** Type of {@link ThreadLoadedListResponseSchema}. */
export type ThreadLoadedListResponse = z.infer<typeof ThreadLoadedListResponseSchema>;

/** `thread/unsubscribe` result. */
export const ThreadUnsubscribeResponseSchema = z.object({
  status: z.enum(['notLoaded', 'notSubscribed', 'unsubscribed']),
});
/** Type of {@link ThreadUnsubscribeResponseSchema}. */
export type ThreadUnsubscribeResponse = z.infer<typeof ThreadUnsubscribeResponseSchema>;

/** `thread/name/set` result: `{}` (reference name `ThreadSetNameResponse`). */
export const ThreadNameSetResponseSchema = z.object({});
/** Type of {@link ThreadNameSetResponseSchema}. */
export type ThreadNameSetResponse = z.infer<typeof ThreadNameSetResponseSchema>;
/** The reference's name for {@link ThreadNameSetResponse}. */
export type ThreadSetNameResponse = ThreadNameSetResponse;

/** `turn/start` result: the new (or, when steering, the running) turn in its `inProgress` form. */
export const TurnStartResponseSchema = z.object({ turn: TurnSchema });
/** Type of {@link TurnStartResponseSchema}. */
export type TurnStartResponse = z.infer<typeof TurnStartResponseSchema>;

/** `turn/interrupt` result: `{}`. */
export const TurnInterruptResponseSchema = z.object({});
/** Type of {@link TurnInterruptResponseSchema}. */
export type TurnInterruptResponse = z.infer<typeof TurnInterruptResponseSchema>;

/** `turn/steer` result: the id of the running turn the input joined. */
export const TurnSteerResponseSchema = z.object({ turnId: z.string() });
/** Type of {@link TurnSteerResponseSchema}. */
export type TurnSteerResponse = z.infer<typeof TurnSteerResponseSchema>;

/**
 * `account/read` result: `{account, userId, requiresOpenaiAuth, workspaceRouting}`. This server reports only API-key
 * accounts (`{"type":"apiKey"}`) or none; `userId` and `workspaceRouting` are always `null` (ChatGPT-only facts).
 */
export const GetAccountResponseSchema = z.object({
  account: z.object({ type: z.literal('apiKey') }).nullable(),
  userId: z.string().nullable(),
  requiresOpenaiAuth: z.boolean(),
  workspaceRouting: z.null(),
});
/** Type of {@link GetAccountResponseSchema}. */
export type GetAccountResponse = z.infer<typeof GetAccountResponseSchema>;

/** Legacy `getAuthStatus` result: `{authMethod, authToken, requiresOpenaiAuth}`; the token only when asked for. */
export const GetAuthStatusResponseSchema = z.object({
  authMethod: z.enum(['apikey', 'chatgpt']).nullable(),
  authToken: z.string().nullable(),
  requiresOpenaiAuth: z.boolean().nullable(),
});
/** Type of {@link GetAuthStatusResponseSchema}. */
export type GetAuthStatusResponse = z.infer<typeof GetAuthStatusResponseSchema>;

/**
 * `account/rateLimits/read` result. Declared for the schema export; this server always answers the method with an
 * error (rate limits belong to ChatGPT accounts, read from the ChatGPT backend, which it never contacts).
 */
export const GetAccountRateLimitsResponseSchema = z.object({
  rateLimits: RateLimitSnapshotSchema,
  rateLimitsByLimitId: z.record(z.string(), RateLimitSnapshotSchema).nullable(),
});
/** Type of {@link GetAccountRateLimitsResponseSchema}. */
export type GetAccountRateLimitsResponse = z.infer<typeof GetAccountRateLimitsResponseSchema>;

/** One `thread/search` hit: the thread (as `thread/list` renders it) and the snippet of its first matching text. */
export const ThreadSearchResultSchema = z.object({ thread: ThreadSchema, snippet: z.string() });

/** `thread/search` result (experimental): `{data, nextCursor, backwardsCursor}`. */
export const ThreadSearchResponseSchema = z.object({
  data: z.array(ThreadSearchResultSchema),
  nextCursor: z.string().nullable(),
  backwardsCursor: z.string().nullable(),
});
/** Type of {@link ThreadSearchResponseSchema}. */
export type ThreadSearchResponse = z.infer<typeof ThreadSearchResponseSchema>;

/** A UTF-16 code-unit range `[start, end)` within a snippet. */
export const ThreadSearchTextRangeSchema = z.object({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() });

/** One occurrence of the term in a visible message. Wire key order: `turnId, itemId, snippet, snippetMatchRange, turnCursor`. */
export const ThreadSearchOccurrenceSchema = z.object({
  turnId: z.string(),
  itemId: z.string(),
  snippet: z.string(),
  snippetMatchRange: ThreadSearchTextRangeSchema,
  turnCursor: z.string(),
});

/** `thread/searchOccurrences` result (experimental): occurrences in message order, `nextCursor`. */
export const ThreadSearchOccurrencesResponseSchema = z.object({
  data: z.array(ThreadSearchOccurrenceSchema),
  nextCursor: z.string().nullable(),
});
/** Type of {@link ThreadSearchOccurrencesResponseSchema}. */
export type ThreadSearchOccurrencesResponse = z.infer<typeof ThreadSearchOccurrencesResponseSchema>;
