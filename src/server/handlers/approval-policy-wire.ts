/**
 * The approval policy between the wire's `AskForApproval` and the thread settings' `ApprovalPolicy` (issue 14).
 * Reference behaviour (0.169.0): `on-failure` is run and reported as `on-request`; a `granular` policy is
 * reported as given.
 */
import type { AskForApproval } from '../../protocol/param-enums.js';
import type { ApprovalPolicy } from '../../tools/tool.js';

/** A thread's policy, as start/resume/fork results report it. */
export function approvalPolicyOut(policy: ApprovalPolicy): AskForApproval {
  if (policy === 'on-failure') return 'on-request';
  return policy as AskForApproval;
}

/**
 * A request's `approvalPolicy` override. `untrusted` (still in the wire enum) is refused in config.toml by the
 * reference; as an override we run it as `on-request` (asking before anything leaves the sandbox): not compared.
 */
export function approvalPolicyIn(policy: AskForApproval | null | undefined): ApprovalPolicy | null | undefined {
  if (policy === 'untrusted') return 'on-request';
  return policy as ApprovalPolicy | null | undefined;
}
