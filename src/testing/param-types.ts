/**
 * Request param types of the McpProcess helpers: what a client may send (the protocol's wire *input*
 * types, where fields with serde defaults are optional), not the decoded server-side types.
 */
export type {
  ModelListParamsInput,
  ThreadArchiveParamsInput,
  ThreadForkParamsInput,
  ThreadListParamsInput,
  ThreadLoadedListParamsInput,
  ThreadNameSetParamsInput,
  ThreadReadParamsInput,
  ThreadResumeParamsInput,
  ThreadStartParamsInput,
  ThreadUnarchiveParamsInput,
  ThreadUnsubscribeParamsInput,
  TurnInterruptParamsInput,
  TurnStartParamsInput,
  TurnSteerParamsInput,
} from '../protocol/index.js';
