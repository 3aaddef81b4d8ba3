/**
 * Params of the lists an editor fills on open: `skills/list`, `mcpServerStatus/list`, `experimentalFeature/list`,
 * `collaborationMode/list`, `app/list`, `hooks/list`, `modelProvider/list`. Each takes a params object (absent is
 * ``missing field `params` ``, as in the reference).
 */
import { wEnum } from './wire-enum.js';
import { optional, required, withDefault, wStruct } from './wire-struct.js';
import { wBool, wString, wU32, wVec } from './wire-type.js';

export const SkillsListParamsWire = wStruct('SkillsListParams', {
  cwds: withDefault(wVec(wString), []),
  forceReload: withDefault(wBool, false),
});

export const McpServerStatusDetailWire = wEnum('McpServerStatusDetail', ['full', 'toolsAndAuthOnly']);

export const ListMcpServerStatusParamsWire = wStruct('ListMcpServerStatusParams', {
  cursor: optional(wString),
  limit: optional(wU32),
  detail: optional(McpServerStatusDetailWire),
  serverName: optional(wString),
  threadId: optional(wString),
});

export const ExperimentalFeatureListParamsWire = wStruct('ExperimentalFeatureListParams', {
  cursor: optional(wString),
  limit: optional(wU32),
  threadId: optional(wString),
});

export const CollaborationModeListParamsWire = wStruct('CollaborationModeListParams', {});

export const AppsListParamsWire = wStruct('AppsListParams', {
  cursor: optional(wString),
  limit: optional(wU32),
  threadId: optional(wString),
  forceRefetch: withDefault(wBool, false),
});

export const HooksListParamsWire = wStruct('HooksListParams', {
  cwds: withDefault(wVec(wString), []),
  threadId: optional(wString),
});

export const ModelProviderListParamsWire = wStruct('ModelProviderListParams', {});

export const FuzzyFileSearchParamsWire = wStruct('FuzzyFileSearchParams', {
  query: required(wString),
  roots: required(wVec(wString)),
  cancellationToken: optional(wString),
});

export const FuzzyFileSearchSessionStartParamsWire = wStruct('FuzzyFileSearchSessionStartParams', {
  sessionId: required(wString),
  roots: required(wVec(wString)),
});

export const FuzzyFileSearchSessionUpdateParamsWire = wStruct('FuzzyFileSearchSessionUpdateParams', {
  sessionId: required(wString),
  query: required(wString),
});

export const FuzzyFileSearchSessionStopParamsWire = wStruct('FuzzyFileSearchSessionStopParams', { sessionId: required(wString) });
