/**
 * zod schemas of the request params and of the enums and structs they share, built from the wire types
 * (`XxxWire.zod(z)`; see `wire-type.ts`; a method's params through its entry in the method table). Schema side only: the server's decode path (`runtime.ts`) never
 * imports this module, so it never evaluates zod. Importing it builds these schemas.
 */
import { z } from 'zod';
import { ClientInfoWire, InitializeCapabilitiesWire } from './initialize.js';
import { METHODS } from './methods.js';
import {
  ApprovalsReviewerWire,
  AskForApprovalWire,
  CollaborationModeWire,
  MultiAgentModeWire,
  SandboxModeWire,
  SandboxPolicyWire,
  SortDirectionWire,
  ThreadSortKeyWire,
  ThreadSourceKindWire,
} from './param-enums.js';
import { UserInputWire } from './user-input.js';

// Shared enums and structs (param-enums.ts).

/** zod schema of the decoded `AskForApproval`. */
export const AskForApprovalSchema = AskForApprovalWire.zod(z);
/** zod schema of the decoded `SandboxMode`. */
export const SandboxModeSchema = SandboxModeWire.zod(z);
/** zod schema of the decoded `ApprovalsReviewer`. */
export const ApprovalsReviewerSchema = ApprovalsReviewerWire.zod(z);
/** zod schema of the decoded `ThreadSortKey`. */
export const ThreadSortKeySchema = ThreadSortKeyWire.zod(z);
/** zod schema of the decoded `SortDirection`. */
export const SortDirectionSchema = SortDirectionWire.zod(z);
/** zod schema of the decoded `ThreadSourceKind`. */
export const ThreadSourceKindSchema = ThreadSourceKindWire.zod(z);
/** zod schema of the decoded `MultiAgentMode`. */
export const MultiAgentModeSchema = MultiAgentModeWire.zod(z);
/** zod schema of a reasoning effort value (non-empty; the decoder accepts any string, as the reference does). */
export const ReasoningEffortSchema = z.string().min(1);
/** zod schema of the decoded `SandboxPolicy`. */
export const SandboxPolicySchema = SandboxPolicyWire.zod(z);
/** zod schema of the decoded `CollaborationMode`. */
export const CollaborationModeSchema = CollaborationModeWire.zod(z);

// User input (user-input.ts).

/** zod schema of a decoded `UserInput`. */
export const UserInputSchema = UserInputWire.zod(z);

// initialize (initialize.ts).

/** zod schema of the decoded `ClientInfo`. */
export const ClientInfoSchema = ClientInfoWire.zod(z);
/** zod schema of the decoded `InitializeCapabilities`. */
export const InitializeCapabilitiesSchema = InitializeCapabilitiesWire.zod(z);
/** zod schema of the decoded `InitializeParams`. */
export const InitializeParamsSchema = METHODS['initialize'].params.zod(z);

// thread/start, resume, fork (thread-start-params.ts).

/** zod schema of the decoded `ThreadStartParams`. */
export const ThreadStartParamsSchema = METHODS['thread/start'].params.zod(z);
/** zod schema of the decoded `ThreadResumeParams`. */
export const ThreadResumeParamsSchema = METHODS['thread/resume'].params.zod(z);
/** zod schema of the decoded `ThreadForkParams`. */
export const ThreadForkParamsSchema = METHODS['thread/fork'].params.zod(z);

// The other thread methods (thread-params.ts).

/** zod schema of the decoded `ThreadArchiveParams`. */
export const ThreadArchiveParamsSchema = METHODS['thread/archive'].params.zod(z);
/** zod schema of the decoded `ThreadUnarchiveParams`. */
export const ThreadUnarchiveParamsSchema = METHODS['thread/unarchive'].params.zod(z);
/** zod schema of the decoded `ThreadUnsubscribeParams`. */
export const ThreadUnsubscribeParamsSchema = METHODS['thread/unsubscribe'].params.zod(z);
/** zod schema of the decoded `ThreadReadParams`. */
export const ThreadReadParamsSchema = METHODS['thread/read'].params.zod(z);
/** zod schema of the decoded `ThreadNameSetParams`. */
export const ThreadNameSetParamsSchema = METHODS['thread/name/set'].params.zod(z);
/** zod schema of the decoded `ThreadLoadedListParams`. */
export const ThreadLoadedListParamsSchema = METHODS['thread/loaded/list'].params.zod(z);
/** zod schema of the decoded `ThreadListParams`. */
export const ThreadListParamsSchema = METHODS['thread/list'].params.zod(z);

// turn/start, turn/interrupt, turn/steer (turn-params.ts).

/** zod schema of the decoded `TurnStartParams`. */
export const TurnStartParamsSchema = METHODS['turn/start'].params.zod(z);
/** zod schema of the decoded `TurnInterruptParams`. */
export const TurnInterruptParamsSchema = METHODS['turn/interrupt'].params.zod(z);
/** zod schema of the decoded `TurnSteerParams`. */
export const TurnSteerParamsSchema = METHODS['turn/steer'].params.zod(z);

// account/read, getAuthStatus, account/rateLimits/read (account-params.ts).

/** zod schema of the decoded `GetAccountParams`. */
export const GetAccountParamsSchema = METHODS['account/read'].params.zod(z);
/** zod schema of the decoded `GetAuthStatusParams`. */
export const GetAuthStatusParamsSchema = METHODS['getAuthStatus'].params.zod(z);
/** zod schema of the decoded `GetAccountRateLimitsParams`. */
export const GetAccountRateLimitsParamsSchema = METHODS['account/rateLimits/read'].params.zod(z);

// model/list (model-list.ts).

/** zod schema of the decoded `ModelListParams`. */
export const ModelListParamsSchema = METHODS['model/list'].params.zod(z);
