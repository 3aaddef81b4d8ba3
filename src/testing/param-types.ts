/**
 * Request param types used by the McpProcess helpers.
 * TODO(#protocol): src/protocol does not export these yet; switch every alias to
 * `export type { … } from '../protocol/index.js'` once it does.
 */
type Params = Record<string, unknown>;

export type ThreadStartParams = Params;
export type ThreadResumeParams = Params;
export type ThreadForkParams = Params;
export type ThreadArchiveParams = Params;
export type ThreadUnarchiveParams = Params;
export type ThreadListParams = Params;
export type ThreadReadParams = Params;
export type ThreadLoadedListParams = Params;
export type ThreadUnsubscribeParams = Params;
export type ThreadNameSetParams = Params;
export type TurnStartParams = Params;
export type TurnInterruptParams = Params;
export type ModelListParams = Params;
