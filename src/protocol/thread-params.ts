/**
 * Params of the thread methods that do not load a thread: archive, unarchive, read, unsubscribe,
 * name/set, list, loaded/list, and the experimental search and searchOccurrences (issue 18).
 */
import { SortDirectionWire, ThreadSortKeyWire, ThreadSourceKindWire } from './param-enums.js';
import { wEnum } from './wire-enum.js';
import { optional, optionalDefault, required, withDefault, wStruct } from './wire-struct.js';
import { type WireInput, type WireOutput, wBool, wString, wU32, wUntagged, wVec } from './wire-type.js';

const threadIdOnly = { threadId: required(wString) };

/** `thread/archive` params. */
export const ThreadArchiveParamsWire = wStruct('ThreadArchiveParams', threadIdOnly);
/** `ThreadArchiveParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type ThreadArchiveParams = WireOutput<typeof ThreadArchiveParamsWire>;
/** What a client may send for `ThreadArchiveParams` (serde defaults optional). */
export type ThreadArchiveParamsInput = WireInput<typeof ThreadArchiveParamsWire>;

/** `thread/unarchive` params. */
export const ThreadUnarchiveParamsWire = wStruct('ThreadUnarchiveParams', threadIdOnly);
/** `ThreadUnarchiveParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type ThreadUnarchiveParams = WireOutput<typeof ThreadUnarchiveParamsWire>;
/** What a client may send for `ThreadUnarchiveParams` (serde defaults optional). */
export type ThreadUnarchiveParamsInput = WireInput<typeof ThreadUnarchiveParamsWire>;

/** `thread/unsubscribe` params. */
export const ThreadUnsubscribeParamsWire = wStruct('ThreadUnsubscribeParams', threadIdOnly);
/** `ThreadUnsubscribeParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type ThreadUnsubscribeParams = WireOutput<typeof ThreadUnsubscribeParamsWire>;
/** What a client may send for `ThreadUnsubscribeParams` (serde defaults optional). */
export type ThreadUnsubscribeParamsInput = WireInput<typeof ThreadUnsubscribeParamsWire>;

/** `thread/read` params; `includeTurns` defaults to `false` (and `null` is a type error, as in serde). */
export const ThreadReadParamsWire = wStruct('ThreadReadParams', {
  threadId: required(wString),
  includeTurns: withDefault(wBool, false),
});
/** `ThreadReadParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type ThreadReadParams = WireOutput<typeof ThreadReadParamsWire>;
/** What a client may send for `ThreadReadParams` (serde defaults optional). */
export type ThreadReadParamsInput = WireInput<typeof ThreadReadParamsWire>;

/** `thread/name/set` params (the reference type is `ThreadSetNameParams`). `""` is a domain error, not a decode error. */
export const ThreadNameSetParamsWire = wStruct('ThreadSetNameParams', {
  threadId: required(wString),
  name: required(wString),
});
/** `ThreadNameSetParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type ThreadNameSetParams = WireOutput<typeof ThreadNameSetParamsWire>;
/** What a client may send for `ThreadNameSetParams` (serde defaults optional). */
export type ThreadNameSetParamsInput = WireInput<typeof ThreadNameSetParamsWire>;
/** The reference's name for {@link ThreadNameSetParams}. */
export type ThreadSetNameParams = ThreadNameSetParams;

/** `thread/loaded/list` params. */
export const ThreadLoadedListParamsWire = wStruct('ThreadLoadedListParams', {
  cursor: optional(wString),
  limit: optional(wU32),
});
/** `ThreadLoadedListParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type ThreadLoadedListParams = WireOutput<typeof ThreadLoadedListParamsWire>;
/** What a client may send for `ThreadLoadedListParams` (serde defaults optional). */
export type ThreadLoadedListParamsInput = WireInput<typeof ThreadLoadedListParamsWire>;

/** `thread/list.cwd`: one path or several (exact match after resolving relative paths). */
export const ThreadListCwdFilterWire = wUntagged('ThreadListCwdFilter', wString, wVec(wString));

/**
 * `thread/list` params (SPEC §4.8); every field optional.
 *
 * Declaration order: Reference behaviour (SPEC §1): `thread/list` with `[1,2]` fails with
 * ``invalid type: integer `1`, expected a boolean``, so in 0.169.0 the first field is boolean-typed. The
 * Rust source we could read (older) starts with `cursor`; which boolean moved first is unknown, so we put
 * `archived` first and keep the known order for the rest, newer fields appended alphabetically.
 * `projectId` and `sectionId` distinguish absent (no filter) from `null` (unassigned).
 */
export const ThreadListParamsWire = wStruct('ThreadListParams', {
  archived: optional(wBool),
  cursor: optional(wString),
  limit: optional(wU32),
  sortKey: optional(ThreadSortKeyWire),
  sortDirection: optional(SortDirectionWire),
  modelProviders: optional(wVec(wString)),
  sourceKinds: optional(wVec(ThreadSourceKindWire)),
  cwd: optional(ThreadListCwdFilterWire),
  useStateDbOnly: withDefault(wBool, false),
  searchTerm: optional(wString),
  parentThreadId: optional(wString),
  ancestorThreadId: optional(wString),
  attachedToThreadId: optional(wString),
  currentAccountOnly: withDefault(wBool, false),
  excludedThreadIds: optional(wVec(wString)),
  includeAttachedThreads: withDefault(wBool, false),
  originators: optional(wVec(wString)),
  projectId: optionalDefault(wString),
  sectionId: optionalDefault(wString),
});
/** `ThreadListParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type ThreadListParams = WireOutput<typeof ThreadListParamsWire>;
/** What a client may send for `ThreadListParams` (serde defaults optional). */
export type ThreadListParamsInput = WireInput<typeof ThreadListParamsWire>;

// `thread/search` and `thread/searchOccurrences` (experimental). Field order follows the reference's struct
// declaration order (`cursor, limit, sortKey, sortDirection, sourceKinds, archived, searchTerm`, then the newer booleans).

/** `thread/search` sort keys (no `section_position`, unlike `thread/list`). */
export const ThreadSearchSortKeyWire = wEnum('ThreadSearchSortKey', ['created_at', 'updated_at', 'recency_at']);

/** `thread/search` params. */
export const ThreadSearchParamsWire = wStruct('ThreadSearchParams', {
  cursor: optional(wString),
  limit: optional(wU32),
  sortKey: optional(ThreadSearchSortKeyWire),
  sortDirection: optional(SortDirectionWire),
  sourceKinds: optional(wVec(ThreadSourceKindWire)),
  archived: optional(wBool),
  searchTerm: required(wString),
  currentAccountOnly: withDefault(wBool, false),
  includeAttachedThreads: withDefault(wBool, false),
});
/** `ThreadSearchParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type ThreadSearchParams = WireOutput<typeof ThreadSearchParamsWire>;
/** What a client may send for `ThreadSearchParams` (serde defaults optional). */
export type ThreadSearchParamsInput = WireInput<typeof ThreadSearchParamsWire>;

/** `thread/searchOccurrences` params. */
export const ThreadSearchOccurrencesParamsWire = wStruct('ThreadSearchOccurrencesParams', {
  threadId: required(wString),
  searchTerm: required(wString),
  cursor: optional(wString),
  limit: optional(wU32),
});
/** `ThreadSearchOccurrencesParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type ThreadSearchOccurrencesParams = WireOutput<typeof ThreadSearchOccurrencesParamsWire>;
/** What a client may send for `ThreadSearchOccurrencesParams` (serde defaults optional). */
export type ThreadSearchOccurrencesParamsInput = WireInput<typeof ThreadSearchOccurrencesParamsWire>;
