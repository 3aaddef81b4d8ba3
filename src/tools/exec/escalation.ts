/**
 * Leaving the sandbox: whether the approval policy lets a command ask (0.169: on-request, on-failure, granular with
 * `sandbox_approval`), the reference's refusal text otherwise, and the `item/commandExecution/requestApproval`
 * request with the reference's params.
 */
import type { ApprovalDecision } from '../approval.js';
import type { ApprovalPolicy, ToolContext } from '../tool.js';
import { commandItem, type CommandItemState } from './items.js';

/** Rust's Debug name of the approval policy, as the reference's rejection text prints it. */
function policyDebugName(policy: ApprovalPolicy): string {
  if (policy === 'never') return 'Never';
  if (policy === 'on-failure') return 'OnFailure';
  if (policy === 'on-request') return 'OnRequest';
  const g = policy.granular;
  return `Granular(GranularApprovalConfig { sandbox_approval: ${g.sandbox_approval}, rules: ${g.rules}, skill_approval: ${g.skill_approval}, request_permissions: ${g.request_permissions}, mcp_elicitations: ${g.mcp_elicitations} })`;
}

/** Whether the policy lets a command ask the client to run outside the sandbox. */
export function mayAskToEscalate(policy: ApprovalPolicy): boolean {
  // 0.169 asks under on-failure too (seen with the reference), and refuses under never / granular without sandbox_approval.
  if (policy === 'on-request' || policy === 'on-failure') return true;
  if (typeof policy === 'object') return policy.granular.sandbox_approval;
  return false;
}

export function escalationRefused(policy: ApprovalPolicy): string {
  const name = policyDebugName(policy);
  return `approval policy is ${name}; reject command — you cannot ask for escalated permissions if the approval policy is ${name}`;
}

/** Asks the client (through the runner) to run `item` outside the sandbox; `sessionKey` is the argv (acceptForSession). */
export async function askApproval(cx: ToolContext, item: CommandItemState, reason: string | null, prefixRule: string[] | undefined): Promise<ApprovalDecision> {
  const amendment = prefixRule && prefixRule.length > 0 ? prefixRule : proposedAmendment(item);
  return cx.approve({
    method: 'item/commandExecution/requestApproval',
    params: {
      kind: 'command',
      threadId: cx.threadId,
      turnId: cx.turnId,
      itemId: item.id,
      startedAtMs: item.startedAtMs,
      environmentId: 'local',
      reason,
      command: item.command,
      cwd: item.cwd,
      commandActions: item.actions as unknown as Record<string, unknown>[],
      proposedExecpolicyAmendment: amendment,
      availableDecisions: ['accept', { acceptWithExecpolicyAmendment: { execpolicy_amendment: amendment } }, 'cancel'],
    },
    sessionKey: JSON.stringify(item.argv),
    // Announced by the runner's context after the waitingOnApproval status (the reference's order).
    startItem: commandItem(item),
  });
}

/** The reference proposes the script's words when it is one plain command, else the whole argv. */
function proposedAmendment(item: CommandItemState): string[] {
  const script = item.argv[2] ?? '';
  if (/^[A-Za-z0-9_@%+=:,./ -]+$/.test(script) && script.trim() !== '') return script.trim().split(/\s+/);
  return item.argv;
}
