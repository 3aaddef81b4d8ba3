/**
 * TODO(#13): the one place where values the thread layer still builds untyped (`JsonObject`s, settings
 * strings) are taken as the protocol types the method table promises, and back. Each function is an
 * identity at run time. Once the thread layer's renderers return `Thread` / `Turn` and its settings carry
 * the protocol's `AskForApproval`, the compiler shows every call as removable: delete this module.
 *
 * Mismatches these hide today (behaviour kept as it is):
 * - a `granular` approval policy object passes through the thread's `approvalPolicy` string setting;
 * - `approval_policy = "on-failure"` from config.toml is echoed although v2's `AskForApproval` lacks it.
 */
import type { AskForApproval } from '../../protocol/param-enums.js';
import type { Thread } from '../../protocol/thread.js';
import type { Turn } from '../../protocol/turn.js';
import type { JsonObject } from '../../threads/wire.js';

/** A thread object built by `threads/wire.ts` (key order is the wire's). */
export function asThread(wire: JsonObject): Thread {
  return wire as unknown as Thread;
}

/** A turn object built by `threads/wire.ts`. */
export function asTurn(wire: JsonObject): Turn {
  return wire as unknown as Turn;
}

/** A thread's `approvalPolicy` setting, as results report it. */
export function approvalPolicyOut(setting: string): AskForApproval {
  return setting as AskForApproval;
}

/** A request's `approvalPolicy` override, as the thread settings hold it. */
export function approvalPolicyIn(policy: AskForApproval | null | undefined): string | null | undefined {
  return policy as string | null | undefined;
}
