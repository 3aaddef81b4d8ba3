/**
 * Params of the notifications the server sends (SPEC §2, §4, §6), and the method → params table.
 *
 * On the wire a notification is `{"method","params","emittedAtMs"}` (unix ms, on every notification).
 * Key order inside `params` is the order of the shapes below; producers build them with object literals
 * in that order.
 */
import { z } from 'zod';
import { ThreadSchema, ThreadStatusSchema } from './thread.js';
import { ThreadItemSchema } from './thread-item.js';
import { ThreadTokenUsageSchema } from './token-usage.js';
import { TurnErrorSchema, TurnSchema } from './turn.js';

const threadIdOnly = { threadId: z.string() };
const int = z.number().int();

/** Params of the `thread/started` notification. */
export const ThreadStartedNotificationSchema = z.object({ thread: ThreadSchema });
/** Params of the `thread/status/changed` notification. */
export const ThreadStatusChangedNotificationSchema = z.object({ threadId: z.string(), status: ThreadStatusSchema });
/** Params of the `thread/archived` notification. */
export const ThreadArchivedNotificationSchema = z.object(threadIdOnly);
/** Params of the `thread/unarchived` notification. */
export const ThreadUnarchivedNotificationSchema = z.object(threadIdOnly);
/** Params of the `thread/closed` notification. */
export const ThreadClosedNotificationSchema = z.object(threadIdOnly);
/** Params of the `thread/goal/cleared` notification. */
export const ThreadGoalClearedNotificationSchema = z.object(threadIdOnly);
/** Params of the `thread/name/updated` notification. */
export const ThreadNameUpdatedNotificationSchema = z.object({ threadId: z.string(), threadName: z.string().nullable() });
/** Params of the `thread/tokenUsage/updated` notification. */
export const ThreadTokenUsageUpdatedNotificationSchema = z.object({
  threadId: z.string(),
  turnId: z.string(),
  tokenUsage: ThreadTokenUsageSchema,
});
/** Params of the `turn/started` notification. */
export const TurnStartedNotificationSchema = z.object({ threadId: z.string(), turn: TurnSchema });
/** Params of the `turn/completed` notification. */
export const TurnCompletedNotificationSchema = z.object({ threadId: z.string(), turn: TurnSchema });
/** `item/started`: `{item, threadId, turnId, startedAtMs}` (the item has `completedAtMs: null`). */
export const ItemStartedNotificationSchema = z.object({
  item: ThreadItemSchema,
  threadId: z.string(),
  turnId: z.string(),
  startedAtMs: int,
});
/** `item/completed`: `{item, threadId, turnId, contentTokenCount, completedAtMs}` (`contentTokenCount` is `null`). */
export const ItemCompletedNotificationSchema = z.object({
  item: ThreadItemSchema,
  threadId: z.string(),
  turnId: z.string(),
  contentTokenCount: int.min(0).nullable(),
  completedAtMs: int,
});
/** Params of the `item/agentMessage/delta` notification. */
export const AgentMessageDeltaNotificationSchema = z.object({
  threadId: z.string(),
  turnId: z.string(),
  itemId: z.string(),
  delta: z.string(),
});
/** Params of the `item/reasoning/summaryTextDelta` notification. */
export const ReasoningSummaryTextDeltaNotificationSchema = z.object({
  threadId: z.string(),
  turnId: z.string(),
  itemId: z.string(),
  delta: z.string(),
  summaryIndex: int,
});
/** Params of the `item/reasoning/summaryPartAdded` notification. */
export const ReasoningSummaryPartAddedNotificationSchema = z.object({
  threadId: z.string(),
  turnId: z.string(),
  itemId: z.string(),
  summaryIndex: int,
});
/** Params of the `item/reasoning/textDelta` notification. */
export const ReasoningTextDeltaNotificationSchema = z.object({
  threadId: z.string(),
  turnId: z.string(),
  itemId: z.string(),
  delta: z.string(),
  contentIndex: int,
});
/** `error`: `{error, willRetry, threadId, turnId}`; `willRetry: true` announces a `Reconnecting... n/max` retry. */
export const ErrorNotificationSchema = z.object({
  error: TurnErrorSchema,
  willRetry: z.boolean(),
  threadId: z.string(),
  turnId: z.string(),
});
/** `warning`: `{threadId, message}` (e.g. the fallback-model-metadata warning of SPEC §4.2). */
export const WarningNotificationSchema = z.object({ threadId: z.string().nullable(), message: z.string() });
/** Params of the `deprecationNotice` notification. */
export const DeprecationNoticeNotificationSchema = z.object({ summary: z.string(), details: z.string().nullable() });
/** Params of the `configWarning` notification. */
export const ConfigWarningNotificationSchema = z.object({ summary: z.string(), details: z.string().nullable() });

/** Rate-limit snapshot with every field `null` except `limitId` when the provider sends no headers (SPEC §3). */
export const RateLimitSnapshotSchema = z.object({
  limitId: z.string().nullable(),
  limitName: z.string().nullable(),
  normalModelSlug: z.string().nullable(),
  primary: z.record(z.string(), z.unknown()).nullable(),
  secondary: z.record(z.string(), z.unknown()).nullable(),
  credits: z.record(z.string(), z.unknown()).nullable(),
  individualLimit: z.record(z.string(), z.unknown()).nullable(),
  spendControlReached: z.boolean().nullable(),
  planType: z.string().nullable(),
  rateLimitReachedType: z.string().nullable(),
});
/** Params of the `account/rateLimits/updated` notification. */
export const AccountRateLimitsUpdatedNotificationSchema = z.object({ rateLimits: RateLimitSnapshotSchema });
/** `remoteControl/status/changed`: `{status:"disabled", serverName, installationId, environmentId:null}`. */
export const RemoteControlStatusChangedNotificationSchema = z.object({
  status: z.enum(['disabled', 'connecting', 'connected', 'errored']),
  serverName: z.string(),
  installationId: z.string(),
  environmentId: z.string().nullable(),
});

/** Type of {@link ThreadStartedNotificationSchema}. */
export type ThreadStartedNotification = z.infer<typeof ThreadStartedNotificationSchema>;
/** Type of {@link ThreadStatusChangedNotificationSchema}. */
export type ThreadStatusChangedNotification = z.infer<typeof ThreadStatusChangedNotificationSchema>;
/** Type of {@link ThreadArchivedNotificationSchema}. */
export type ThreadArchivedNotification = z.infer<typeof ThreadArchivedNotificationSchema>;
/** Type of {@link ThreadUnarchivedNotificationSchema}. */
export type ThreadUnarchivedNotification = z.infer<typeof ThreadUnarchivedNotificationSchema>;
/** Type of {@link ThreadClosedNotificationSchema}. */
export type ThreadClosedNotification = z.infer<typeof ThreadClosedNotificationSchema>;
/** Type of {@link ThreadGoalClearedNotificationSchema}. */
export type ThreadGoalClearedNotification = z.infer<typeof ThreadGoalClearedNotificationSchema>;
/** Type of {@link ThreadNameUpdatedNotificationSchema}. */
export type ThreadNameUpdatedNotification = z.infer<typeof ThreadNameUpdatedNotificationSchema>;
/** Type of {@link ThreadTokenUsageUpdatedNotificationSchema}. */
export type ThreadTokenUsageUpdatedNotification = z.infer<typeof ThreadTokenUsageUpdatedNotificationSchema>;
/** Type of {@link TurnStartedNotificationSchema}. */
export type TurnStartedNotification = z.infer<typeof TurnStartedNotificationSchema>;
/** Type of {@link TurnCompletedNotificationSchema}. */
export type TurnCompletedNotification = z.infer<typeof TurnCompletedNotificationSchema>;
/** Type of {@link ItemStartedNotificationSchema}. */
export type ItemStartedNotification = z.infer<typeof ItemStartedNotificationSchema>;
/** Type of {@link ItemCompletedNotificationSchema}. */
export type ItemCompletedNotification = z.infer<typeof ItemCompletedNotificationSchema>;
/** Type of {@link AgentMessageDeltaNotificationSchema}. */
export type AgentMessageDeltaNotification = z.infer<typeof AgentMessageDeltaNotificationSchema>;
/** Type of {@link ReasoningSummaryTextDeltaNotificationSchema}. */
export type ReasoningSummaryTextDeltaNotification = z.infer<typeof ReasoningSummaryTextDeltaNotificationSchema>;
/** Type of {@link ReasoningSummaryPartAddedNotificationSchema}. */
export type ReasoningSummaryPartAddedNotification = z.infer<typeof ReasoningSummaryPartAddedNotificationSchema>;
/** Type of {@link ReasoningTextDeltaNotificationSchema}. */
export type ReasoningTextDeltaNotification = z.infer<typeof ReasoningTextDeltaNotificationSchema>;
/** Type of {@link ErrorNotificationSchema}. */
export type ErrorNotification = z.infer<typeof ErrorNotificationSchema>;
/** Type of {@link WarningNotificationSchema}. */
export type WarningNotification = z.infer<typeof WarningNotificationSchema>;
/** Type of {@link DeprecationNoticeNotificationSchema}. */
export type DeprecationNoticeNotification = z.infer<typeof DeprecationNoticeNotificationSchema>;
/** Type of {@link ConfigWarningNotificationSchema}. */
export type ConfigWarningNotification = z.infer<typeof ConfigWarningNotificationSchema>;
/** Type of {@link AccountRateLimitsUpdatedNotificationSchema}. */
export type AccountRateLimitsUpdatedNotification = z.infer<typeof AccountRateLimitsUpdatedNotificationSchema>;
/** Type of {@link RemoteControlStatusChangedNotificationSchema}. */
export type RemoteControlStatusChangedNotification = z.infer<typeof RemoteControlStatusChangedNotificationSchema>;

/** Notification method → params schema, for every notification this server sends. */
export const SERVER_NOTIFICATIONS = {
  error: ErrorNotificationSchema,
  'thread/started': ThreadStartedNotificationSchema,
  'thread/status/changed': ThreadStatusChangedNotificationSchema,
  'thread/archived': ThreadArchivedNotificationSchema,
  'thread/unarchived': ThreadUnarchivedNotificationSchema,
  'thread/closed': ThreadClosedNotificationSchema,
  'thread/name/updated': ThreadNameUpdatedNotificationSchema,
  'thread/goal/cleared': ThreadGoalClearedNotificationSchema,
  'thread/tokenUsage/updated': ThreadTokenUsageUpdatedNotificationSchema,
  'turn/started': TurnStartedNotificationSchema,
  'turn/completed': TurnCompletedNotificationSchema,
  'item/started': ItemStartedNotificationSchema,
  'item/completed': ItemCompletedNotificationSchema,
  'item/agentMessage/delta': AgentMessageDeltaNotificationSchema,
  'item/reasoning/summaryTextDelta': ReasoningSummaryTextDeltaNotificationSchema,
  'item/reasoning/summaryPartAdded': ReasoningSummaryPartAddedNotificationSchema,
  'item/reasoning/textDelta': ReasoningTextDeltaNotificationSchema,
  'account/rateLimits/updated': AccountRateLimitsUpdatedNotificationSchema,
  'remoteControl/status/changed': RemoteControlStatusChangedNotificationSchema,
  warning: WarningNotificationSchema,
  deprecationNotice: DeprecationNoticeNotificationSchema,
  configWarning: ConfigWarningNotificationSchema,
} as const;

/** A notification method this server sends. */
export type ServerNotificationMethod = keyof typeof SERVER_NOTIFICATIONS;
/** The params type of each notification method. */
export type ServerNotificationParams = { [M in ServerNotificationMethod]: z.infer<(typeof SERVER_NOTIFICATIONS)[M]> };

/** One outgoing notification line: `{"method","params","emittedAtMs"}` in that order. */
export interface ServerNotificationMessage<M extends ServerNotificationMethod = ServerNotificationMethod> {
  method: M;
  params: ServerNotificationParams[M];
  emittedAtMs: number;
}
