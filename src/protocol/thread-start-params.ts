/**
 * Params of the three methods that load a thread: `thread/start`, `thread/resume`, `thread/fork`.
 *
 * Field lists and types are those of the 0.169.0 experimental bundle. Declaration order (which only shows
 * when params are sent as an array) follows the reference Rust source where it is known; fields that
 * source does not have yet are appended, alphabetically.
 */
import {
  ApprovalsReviewerWire,
  AskForApprovalWire,
  InitialTurnsPageParamsWire,
  MultiAgentModeWire,
  PersonalityWire,
  SandboxModeWire,
  ThreadHistoryModeWire,
  ThreadStartSourceWire,
  TurnEnvironmentParamsWire,
} from './param-enums.js';
import { optional, optionalDefault, required, withDefault, wStruct } from './wire-struct.js';
import { type WireInput, type WireOutput, wBool, wJson, wMap, wPath, wString, wVec } from './wire-type.js';

/** Overrides shared by start, resume and fork, in their common declaration order. */
const configOverrides = {
  model: optional(wString),
  modelProvider: optional(wString),
  // `Option<Option<String>>`: absent leaves the tier alone, `null` clears it.
  serviceTier: optionalDefault(wString),
  cwd: optional(wString),
  runtimeWorkspaceRoots: optional(wVec(wString)),
  approvalPolicy: optional(AskForApprovalWire),
  approvalsReviewer: optional(ApprovalsReviewerWire),
  sandbox: optional(SandboxModeWire),
  permissions: optional(wString),
  config: optional(wMap(wJson)),
};

/** `thread/start` params: every field optional (`{}` starts a thread with the configured defaults). */
export const ThreadStartParamsWire = wStruct('ThreadStartParams', {
  ...configOverrides,
  serviceName: optional(wString),
  baseInstructions: optional(wString),
  developerInstructions: optional(wString),
  personality: optional(PersonalityWire),
  ephemeral: optional(wBool),
  sessionStartSource: optional(ThreadStartSourceWire),
  threadSource: optional(wString),
  environments: optional(wVec(TurnEnvironmentParamsWire)),
  dynamicTools: optionalDefault(wVec(wJson)),
  selectedCapabilityRoots: optional(wVec(wJson)),
  mockExperimentalField: optional(wString),
  experimentalRawEvents: withDefault(wBool, false),
  allowProviderModelFallback: withDefault(wBool, false),
  daybreakEnabled: optional(wBool),
  historyMode: optional(ThreadHistoryModeWire),
  multiAgentMode: optional(MultiAgentModeWire),
  projectId: optional(wString),
});
/** `ThreadStartParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type ThreadStartParams = WireOutput<typeof ThreadStartParamsWire>;
/** What a client may send for `ThreadStartParams` (serde defaults optional). */
export type ThreadStartParamsInput = WireInput<typeof ThreadStartParamsWire>;

/**
 * `thread/resume` params. `threadId` is required even when `path` or `history` is given; an empty `path`
 * means absent (the reference's `deserialize_empty_path_as_none`; handlers must treat `""` so).
 */
export const ThreadResumeParamsWire = wStruct('ThreadResumeParams', {
  threadId: required(wString),
  history: optional(wVec(wJson)),
  path: optionalDefault(wPath),
  ...configOverrides,
  baseInstructions: optional(wString),
  developerInstructions: optional(wString),
  personality: optional(PersonalityWire),
  excludeTurns: withDefault(wBool, false),
  initialTurnsPage: optional(InitialTurnsPageParamsWire),
});
/** `ThreadResumeParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type ThreadResumeParams = WireOutput<typeof ThreadResumeParamsWire>;
/** What a client may send for `ThreadResumeParams` (serde defaults optional). */
export type ThreadResumeParamsInput = WireInput<typeof ThreadResumeParamsWire>;

/** `thread/fork` params (an empty `path` means absent, as for resume). */
export const ThreadForkParamsWire = wStruct('ThreadForkParams', {
  threadId: required(wString),
  path: optionalDefault(wPath),
  ...configOverrides,
  baseInstructions: optional(wString),
  developerInstructions: optional(wString),
  ephemeral: withDefault(wBool, false),
  threadSource: optional(wString),
  excludeTurns: withDefault(wBool, false),
  attachToSource: withDefault(wBool, false),
  beforeTurnId: optional(wString),
  deferGoalContinuation: withDefault(wBool, false),
  experimentalDisablePredictionMcp: withDefault(wBool, false),
  experimentalPredictionMode: withDefault(wBool, false),
  lastTurnId: optional(wString),
});
/** `ThreadForkParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type ThreadForkParams = WireOutput<typeof ThreadForkParamsWire>;
/** What a client may send for `ThreadForkParams` (serde defaults optional). */
export type ThreadForkParamsInput = WireInput<typeof ThreadForkParamsWire>;
