/**
 * TODO(#15): the one place where the thread settings' `approvalPolicy` string is taken as the protocol's
 * `AskForApproval` and back. Each function is an identity at run time; once the settings carry the protocol
 * type (config/read work), the compiler shows every call as removable: delete this module.
 *
 * Mismatches these hide today (behaviour kept as it is):
 * - a `granular` approval policy object passes through the thread's `approvalPolicy` string setting;
 * - `approval_policy = "on-failure"` from config.toml is echoed although v2's `AskForApproval` lacks it.
 */
import type { AskForApproval } from '../../protocol/param-enums.js';

/** A thread's `approvalPolicy` setting, as results report it. */
export function approvalPolicyOut(setting: string): AskForApproval {
  return setting as AskForApproval;
}

/** A request's `approvalPolicy` override, as the thread settings hold it. */
export function approvalPolicyIn(policy: AskForApproval | null | undefined): string | null | undefined {
  return policy as string | null | undefined;
}
