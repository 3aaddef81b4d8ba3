/**
 * Params of the experimental `thread/search` and `thread/searchOccurrences` (issue 18). Field order follows the
 * reference's struct declaration order (`cursor, limit, sortKey, sortDirection, sourceKinds, archived,
 * searchTerm`, then the newer booleans).
 */
import { SortDirectionWire, ThreadSourceKindWire } from './param-enums.js';
import { wEnum } from './wire-enum.js';
import { optional, required, withDefault, wStruct } from './wire-struct.js';
import { type WireInput, type WireOutput, wBool, wString, wU32, wVec } from './wire-type.js';

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
