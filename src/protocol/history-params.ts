/** Params of `thread/turns/list`, `thread/items/list`, `thread/delete` and `thread/metadata/update`. */
import { SortDirectionWire } from './param-enums.js';
import { wEnum } from './wire-enum.js';
import { optional, optionalDefault, required, wStruct } from './wire-struct.js';
import { wJson, wString, wU32 } from './wire-type.js';

/** `TurnItemsView`: how much of each turn's items a turns page carries. */
export const TurnItemsViewWire = wEnum('TurnItemsView', ['notLoaded', 'summary', 'full']);

export const ThreadTurnsListParamsWire = wStruct('ThreadTurnsListParams', {
  threadId: required(wString),
  cursor: optional(wString),
  limit: optional(wU32),
  sortDirection: optional(SortDirectionWire),
  itemsView: optional(TurnItemsViewWire),
});

/** `cursor` is a string cursor or an item anchor object (the anchor form is refused as an invalid cursor here). */
export const ThreadItemsListParamsWire = wStruct('ThreadItemsListParams', {
  threadId: required(wString),
  turnId: optional(wString),
  cursor: optional(wJson),
  limit: optional(wU32),
  sortDirection: optional(SortDirectionWire),
  deferOutput: optional(wJson),
});

export const ThreadDeleteParamsWire = wStruct('ThreadDeleteParams', { threadId: required(wString) });

/** `thread/compact/start` params: the thread only. */
export const ThreadCompactStartParamsWire = wStruct('ThreadCompactStartParams', { threadId: required(wString) });

/** `gitInfo` fields: absent leaves the value, `null` clears it, a string replaces it. */
export const ThreadMetadataGitInfoUpdateParamsWire = wStruct('ThreadMetadataGitInfoUpdateParams', {
  sha: optionalDefault(wString),
  branch: optionalDefault(wString),
  originUrl: optionalDefault(wString),
});

export const ThreadMetadataUpdateParamsWire = wStruct('ThreadMetadataUpdateParams', {
  threadId: required(wString),
  gitInfo: optional(ThreadMetadataGitInfoUpdateParamsWire),
  projectId: optional(wString),
  daybreakEnabled: optional(wJson),
});
