/**
 * Enumerations and small structs shared by several request params (thread/start, resume, fork,
 * turn/start, thread/list). Variant names and their order are those of the 0.169.0 experimental schema
 * bundle; the order only shows in `unknown variant` messages. Their zod schemas (`AskForApprovalSchema`, …)
 * are in `param-schemas.ts`.
 */
import { wExternalEnum, wEnum, wTaggedEnum } from './wire-enum.js';
import { optional, required, withDefault, wStruct, wStructVariant } from './wire-struct.js';
import { type WireOutput, wBool, wString, wU32, wVec } from './wire-type.js';

/**
 * Approval policy. Reference behaviour: 0.169.0 no longer lists `on-failure` (older releases did); the
 * `granular` struct variant keeps its snake_case fields. Variant order for the error list is the Rust
 * declaration order as far as known: `untrusted`, `on-request`, `granular`, `never`.
 */
export const AskForApprovalWire = wExternalEnum('AskForApproval', ['untrusted', 'on-request', 'granular', 'never'], {
  granular: {
    kind: 'struct',
    type: wStructVariant('AskForApproval', 'Granular', {
      sandbox_approval: required(wBool),
      rules: required(wBool),
      skill_approval: withDefault(wBool, false),
      request_permissions: withDefault(wBool, false),
      mcp_elicitations: required(wBool),
    }),
  },
});
/** `approvalPolicy` value: `"untrusted" | "on-request" | "never" | {granular: {…}}`. */
export type AskForApproval = WireOutput<typeof AskForApprovalWire>;

/** `sandbox` value of thread/start, resume, fork. */
export const SandboxModeWire = wEnum('SandboxMode', ['read-only', 'workspace-write', 'danger-full-access']);
/** `SandboxMode` as decoded (serde defaults filled in, unknown fields dropped). */
export type SandboxMode = WireOutput<typeof SandboxModeWire>;

/** Who reviews approval requests. */
export const ApprovalsReviewerWire = wEnum('ApprovalsReviewer', ['user', 'auto_review', 'guardian_subagent']);
/** `ApprovalsReviewer` as decoded (serde defaults filled in, unknown fields dropped). */
export type ApprovalsReviewer = WireOutput<typeof ApprovalsReviewerWire>;

/** Deprecated personality selector (accepted, ignored). */
export const PersonalityWire = wEnum('Personality', ['none', 'friendly', 'pragmatic']);
/** `Personality` as decoded (serde defaults filled in, unknown fields dropped). */
export type Personality = WireOutput<typeof PersonalityWire>;

/** `thread/list` sort key. */
export const ThreadSortKeyWire = wEnum('ThreadSortKey', ['created_at', 'updated_at', 'recency_at', 'section_position']);
/** `ThreadSortKey` as decoded (serde defaults filled in, unknown fields dropped). */
export type ThreadSortKey = WireOutput<typeof ThreadSortKeyWire>;

/** Sort direction of paged lists. */
export const SortDirectionWire = wEnum('SortDirection', ['asc', 'desc']);
/** `SortDirection` as decoded (serde defaults filled in, unknown fields dropped). */
export type SortDirection = WireOutput<typeof SortDirectionWire>;

/** `thread/list` `sourceKinds` entries. */
export const ThreadSourceKindWire = wEnum('ThreadSourceKind', [
  'cli',
  'vscode',
  'exec',
  'appServer',
  'subAgent',
  'subAgentReview',
  'subAgentCompact',
  'subAgentThreadSpawn',
  'subAgentOther',
  'unknown',
]);
/** `ThreadSourceKind` as decoded (serde defaults filled in, unknown fields dropped). */
export type ThreadSourceKind = WireOutput<typeof ThreadSourceKindWire>;

/** How a thread started (`thread/start.sessionStartSource`). */
export const ThreadStartSourceWire = wEnum('ThreadStartSource', ['startup', 'clear']);

/** Persisted history contract of a new thread. */
export const ThreadHistoryModeWire = wEnum('ThreadHistoryMode', ['legacy', 'paginated']);
/** `ThreadHistoryMode` as decoded (serde defaults filled in, unknown fields dropped). */
export type ThreadHistoryMode = WireOutput<typeof ThreadHistoryModeWire>;

/**
 * Deprecated multi-agent mode (accepted, ignored). Reference behaviour (0.169.0): `none` is accepted too although
 * the published schema omits it, and the unknown-variant text lists the variants in this order.
 */
export const MultiAgentModeWire = wExternalEnum('MultiAgentMode', ['none', 'custom', 'explicitRequestOnly', 'proactive'], {
  custom: { kind: 'newtype', type: wString },
});
/** `MultiAgentMode` as decoded (serde defaults filled in, unknown fields dropped). */
export type MultiAgentMode = WireOutput<typeof MultiAgentModeWire>;

/** `turn/start.summary`. */
export const ReasoningSummaryWire = wEnum('ReasoningSummary', ['auto', 'concise', 'detailed', 'none']);
/** `ReasoningSummary` as decoded (serde defaults filled in, unknown fields dropped). */
export type ReasoningSummary = WireOutput<typeof ReasoningSummaryWire>;

/** Reasoning effort: the 0.169.0 schema makes it an open, non-empty string (`low`, `medium`, `xhigh`, `ultra`, …). */
export const ReasoningEffortWire = wString;
/** A reasoning effort value. */
export type ReasoningEffort = string;

/** `turn/start.cyberAccessProgram`. */
export const CyberAccessProgramWire = wEnum('CyberAccessProgram', ['standard', 'daybreakBlue', 'daybreakRed']);

/** Network access of an external sandbox. */
const NetworkAccessWire = wEnum('NetworkAccess', ['restricted', 'enabled']);

/** `turn/start.sandboxPolicy`: the legacy sandbox policy, tagged by `type`. Also the `sandbox` of start/resume results. */
export const SandboxPolicyWire = wTaggedEnum('SandboxPolicy', 'type', {
  dangerFullAccess: wStructVariant('SandboxPolicy', 'DangerFullAccess', {}),
  readOnly: wStructVariant('SandboxPolicy', 'ReadOnly', { networkAccess: withDefault(wBool, false) }),
  externalSandbox: wStructVariant('SandboxPolicy', 'ExternalSandbox', {
    networkAccess: withDefault(NetworkAccessWire, 'restricted'),
  }),
  workspaceWrite: wStructVariant('SandboxPolicy', 'WorkspaceWrite', {
    writableRoots: withDefault(wVec(wString), []),
    networkAccess: withDefault(wBool, false),
    excludeTmpdirEnvVar: withDefault(wBool, false),
    excludeSlashTmp: withDefault(wBool, false),
  }),
});
/** `SandboxPolicy` as decoded (serde defaults filled in, unknown fields dropped). */
export type SandboxPolicy = WireOutput<typeof SandboxPolicyWire>;

/** A sticky environment selection (`environments` of thread/start and turn/start). */
export const TurnEnvironmentParamsWire = wStruct('TurnEnvironmentParams', {
  environmentId: required(wString),
  cwd: required(wString),
  runtimeWorkspaceRoots: optional(wVec(wString)),
});
/** `TurnEnvironmentParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type TurnEnvironmentParams = WireOutput<typeof TurnEnvironmentParamsWire>;

/** Collaboration-mode settings (snake_case keys on the wire). */
const CollaborationSettingsWire = wStruct('Settings', {
  model: required(wString),
  reasoning_effort: optional(ReasoningEffortWire),
  developer_instructions: optional(wString),
});

/** `turn/start.collaborationMode` and the `collaborationMode` of the resume result. */
export const CollaborationModeWire = wStruct('CollaborationMode', {
  mode: required(wEnum('ModeKind', ['plan', 'default'])),
  settings: required(CollaborationSettingsWire),
});
/** `CollaborationMode` as decoded (serde defaults filled in, unknown fields dropped). */
export type CollaborationMode = WireOutput<typeof CollaborationModeWire>;

/** `thread/resume.initialTurnsPage`. */
export const InitialTurnsPageParamsWire = wStruct('ThreadResumeInitialTurnsPageParams', {
  limit: optional(wU32),
  sortDirection: optional(SortDirectionWire),
  itemsView: optional(wEnum('TurnItemsView', ['notLoaded', 'summary', 'full'])),
});
