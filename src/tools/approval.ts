/**
 * How a running turn asks the client's permission before a tool acts (issue 14). Tools call it through their
 * `ToolContext`; the server implements it with a server→client JSON-RPC request (`item/commandExecution/
 * requestApproval`, `item/fileChange/requestApproval`) sent to the connection that started the turn, followed by
 * `serverRequest/resolved`.
 */
import type { JsonObject } from '../support/json-values.js';

/**
 * The client's answer, in the v2 vocabulary. `acceptForSession` is remembered for the thread by the caller.
 * `failed`: the client answered with a JSON-RPC error or a result that is no decision (reference behaviour
 * 0.169.0: the action does not happen and the model reads `approval request failed`).
 */
export type ApprovalDecision = 'accept' | 'acceptForSession' | 'decline' | 'cancel' | 'failed';

/** What the model reads when the approval request failed (`failed`). */
export const APPROVAL_REQUEST_FAILED = 'approval request failed';

/**
 * What the tool wants to do: the server→client method and its wire params (as the reference's schema gives them,
 * `threadId`/`turnId`/`itemId` included). `sessionKey` identifies "the same action" for `acceptForSession`
 * (e.g. the command line, or the patched paths): an identical key later in the thread is approved without asking.
 */
export type ApprovalRequest =
  | {
      method: 'item/commandExecution/requestApproval';
      params: JsonObject;
      sessionKey: string;
      /**
       * The command's item, not yet announced: reference behaviour (observed) is `thread/status/changed`
       * (waitingOnApproval) first, then its `item/started`, then the request. The context emits it in that order.
       */
      startItem?: JsonObject;
    }
  | { method: 'item/fileChange/requestApproval'; params: JsonObject; sessionKey: string };

/**
 * Contract: `request` resolves exactly once with the client's decision. It never rejects: a client that
 * answers with an error or garbage resolves `failed`, a connection that closes resolves `cancel`, and an
 * aborted `signal` (the turn interrupted) resolves `cancel` at once, so a turn never hangs on an approval.
 * While a request is pending the caller shows `activeFlags: ["waitingOnApproval"]` on the thread.
 */
export interface ApprovalPort {
  request(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalOutcome>;
}

/**
 * The decision, and the JSON-RPC id of the request that asked it (null when no request went out, e.g. the
 * connection was already closed): the runner announces `serverRequest/resolved {threadId, requestId}` with it.
 */
export interface ApprovalOutcome {
  decision: ApprovalDecision;
  requestId: number | string | null;
}

/** A port for turns nobody can be asked about (no connection): every request is cancelled at once. */
export const NO_APPROVALS: ApprovalPort = { request: async () => ({ decision: 'cancel', requestId: null }) };
