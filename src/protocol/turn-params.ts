/**
 * Params of `turn/start` and `turn/interrupt` (SPEC §4.2, §4.3). Per-turn overrides become the thread's
 * new defaults. Order: the reference Rust source where known, newer fields appended alphabetically.
 */
import {
  ApprovalsReviewerWire,
  AskForApprovalWire,
  CollaborationModeWire,
  CyberAccessProgramWire,
  MultiAgentModeWire,
  PersonalityWire,
  ReasoningEffortWire,
  ReasoningSummaryWire,
  SandboxPolicyWire,
  TurnEnvironmentParamsWire,
} from './param-enums.js';
import { UserInputWire } from './user-input.js';
import { wEnum } from './wire-enum.js';
import { optional, optionalDefault, required, wStruct } from './wire-struct.js';
import { type WireInput, type WireOutput, wJson, wMap, wPath, wString, wVec } from './wire-type.js';

/**
 * One `additionalContext` entry: field order `value, kind, name` (seen from the reference's positional decoding and
 * its missing-field order).
 */
export const AdditionalContextEntryWire = wStruct('AdditionalContextEntry', {
  value: required(wString),
  kind: required(wEnum('AdditionalContextKind', ['untrusted', 'application'])),
  name: optional(wString),
});

/**
 * `turn/start` params. `input` is required (`[]` is accepted and runs a turn without a user item); an
 * input item with an unknown `type` fails the whole request with the `unknown variant` text.
 */
export const TurnStartParamsWire = wStruct('TurnStartParams', {
  threadId: required(wString),
  input: required(wVec(UserInputWire)),
  responsesapiClientMetadata: optional(wMap(wString)),
  environments: optional(wVec(TurnEnvironmentParamsWire)),
  cwd: optional(wPath),
  approvalPolicy: optional(AskForApprovalWire),
  approvalsReviewer: optional(ApprovalsReviewerWire),
  sandboxPolicy: optional(SandboxPolicyWire),
  permissions: optional(wString),
  model: optional(wString),
  // `Option<Option<String>>`: absent leaves the tier alone, `null` clears it.
  serviceTier: optionalDefault(wString),
  effort: optional(ReasoningEffortWire),
  summary: optional(ReasoningSummaryWire),
  personality: optional(PersonalityWire),
  outputSchema: optional(wJson),
  collaborationMode: optional(CollaborationModeWire),
  additionalContext: optional(wMap(AdditionalContextEntryWire)),
  clientUserMessageId: optional(wString),
  cyberAccessProgram: optional(CyberAccessProgramWire),
  disabledPluginIds: optional(wVec(wString)),
  multiAgentMode: optional(MultiAgentModeWire),
  parentTurnId: optional(wString),
  responsesapiClientMetadataPatch: optional(wMap(wString)),
  rootTurnId: optional(wString),
  runtimeWorkspaceRoots: optional(wVec(wString)),
  serviceTierForTurn: optionalDefault(wString),
  toolOutput: optional(wJson),
  turnTrigger: optional(wString),
});
/** `TurnStartParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type TurnStartParams = WireOutput<typeof TurnStartParamsWire>;
/** What a client may send for `TurnStartParams` (serde defaults optional). */
export type TurnStartParamsInput = WireInput<typeof TurnStartParamsWire>;

/** `turn/interrupt` params. Any `turnId` interrupts the running turn (SPEC §4.3). */
export const TurnInterruptParamsWire = wStruct('TurnInterruptParams', {
  threadId: required(wString),
  turnId: required(wString),
});
/** `TurnInterruptParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type TurnInterruptParams = WireOutput<typeof TurnInterruptParamsWire>;
/** What a client may send for `TurnInterruptParams` (serde defaults optional). */
export type TurnInterruptParamsInput = WireInput<typeof TurnInterruptParamsWire>;

/**
 * `turn/steer` params, fields in the reference's declaration order (seen from its positional decoding: 7 elements,
 * `expectedTurnId` last). The metadata and context maps are decoded and not used, as in `turn/start`.
 */
export const TurnSteerParamsWire = wStruct('TurnSteerParams', {
  threadId: required(wString),
  clientUserMessageId: optional(wString),
  input: required(wVec(UserInputWire)),
  responsesapiClientMetadata: optional(wMap(wString)),
  responsesapiClientMetadataPatch: optional(wMap(wString)),
  additionalContext: optional(wMap(AdditionalContextEntryWire)),
  expectedTurnId: required(wString),
});
/** `TurnSteerParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type TurnSteerParams = WireOutput<typeof TurnSteerParamsWire>;
/** What a client may send for `TurnSteerParams` (serde defaults optional). */
export type TurnSteerParamsInput = WireInput<typeof TurnSteerParamsWire>;
