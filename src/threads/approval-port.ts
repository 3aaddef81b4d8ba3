/**
 * How a running turn asks the client's permission before a tool acts (issue 14). The thread layer calls it;
 * the server implements it with a server→client JSON-RPC request (`item/commandExecution/requestApproval`,
 * `item/fileChange/requestApproval`) sent to the connection that started the turn, followed by
 * `serverRequest/resolved`. Nothing implements it yet: tools do not run (TODO #14).
 */

/** The client's answer, in the v2 vocabulary. `acceptForSession` is remembered for the thread by the caller. */
export type ApprovalDecision = 'accept' | 'acceptForSession' | 'decline' | 'cancel';

/** What the turn wants to do, as the approval request shows it. */
export type ApprovalRequest =
  | { kind: 'commandExecution'; threadId: string; turnId: string; itemId: string; reason: string | null; command: string; cwd: string }
  | { kind: 'fileChange'; threadId: string; turnId: string; itemId: string; reason: string | null };

/**
 * Contract: `request` resolves exactly once with the client's decision. It never rejects: a client that
 * answers with an error or garbage resolves `decline`, a connection that closes resolves `cancel`, and an
 * aborted `signal` (the turn interrupted) resolves `cancel` at once, so a turn never hangs on an approval.
 * While a request is pending the caller shows `activeFlags: ["waitingOnApproval"]` on the thread.
 */
export interface ApprovalPort {
  request(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalDecision>;
}
