/**
 * The `ApprovalPort` of a turn: asks the client that started the turn, over its own connection, with a
 * server→client JSON-RPC request (`item/commandExecution/requestApproval`, `item/fileChange/requestApproval`).
 * Reference behaviour: an answer that is an error or not a known decision counts as `failed`; a connection that
 * closes (or a turn interrupted while waiting) as `cancel`.
 */
import type { ApprovalDecision, ApprovalOutcome, ApprovalPort, ApprovalRequest } from '../tools/approval.js';
import type { ServerRequestOutcome } from './connection.js';

/** The part of a connection the port needs. */
export interface ServerRequester {
  serverRequest(method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<ServerRequestOutcome>;
}

const DECISIONS: readonly ApprovalDecision[] = ['accept', 'acceptForSession', 'decline', 'cancel'];

/** The decision in a client's `{decision}` answer; an object-shaped accept (`{acceptWithExecpolicyAmendment: …}`) is an accept. */
export function decisionOf(result: unknown): ApprovalDecision {
  const decision = typeof result === 'object' && result !== null ? (result as { decision?: unknown }).decision : undefined;
  if (typeof decision === 'string' && (DECISIONS as readonly string[]).includes(decision)) return decision as ApprovalDecision;
  if (typeof decision === 'object' && decision !== null) {
    const keys = Object.keys(decision);
    if (keys.length === 1 && /^accept/.test(keys[0]!)) return 'accept';
  }
  return 'failed';
}

export function connectionApprovals(connection: ServerRequester): ApprovalPort {
  return {
    async request(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalOutcome> {
      const outcome = await connection.serverRequest(request.method, request.params, signal);
      if (outcome.kind === 'result') return { decision: decisionOf(outcome.result), requestId: outcome.requestId };
      if (outcome.kind === 'error') return { decision: 'failed', requestId: outcome.requestId };
      return { decision: 'cancel', requestId: outcome.requestId };
    },
  };
}
