/**
 * The per-turn ApprovalPort over a connection (issue 14): the client's answer becomes a decision, an error or
 * garbage answer a decline, a connection that is gone a cancel; the request id is passed on for
 * `serverRequest/resolved`.
 */
import { describe, expect, test } from 'vitest';
import { connectionApprovals, decisionOf, type ServerRequester } from '../../../src/server/approval-port.js';
import type { ServerRequestOutcome } from '../../../src/server/connection.js';

const request = { method: 'item/commandExecution/requestApproval' as const, params: { itemId: 'call_1' }, sessionKey: 'k' };

function requester(outcome: ServerRequestOutcome): ServerRequester & { sent: unknown[] } {
  const sent: unknown[] = [];
  return {
    sent,
    serverRequest: async (method, params) => {
      sent.push({ method, params });
      return outcome;
    },
  };
}

describe('decisionOf', () => {
  test.each([
    [{ decision: 'accept' }, 'accept'],
    [{ decision: 'acceptForSession' }, 'acceptForSession'],
    [{ decision: 'decline' }, 'decline'],
    [{ decision: 'cancel' }, 'cancel'],
    [{ decision: { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['ls'] } } }, 'accept'],
    [{ decision: 'yes please' }, 'failed'],
    [{ decision: { somethingElse: {} } }, 'failed'],
    [null, 'failed'],
    ['accept', 'failed'],
    [{}, 'failed'],
  ])('%j → %s', (answer, decision) => {
    expect(decisionOf(answer)).toBe(decision);
  });
});

describe('connectionApprovals', () => {
  test('sends the request as given and returns the decision with the request id', async () => {
    const conn = requester({ kind: 'result', requestId: 3, result: { decision: 'accept' } });
    const outcome = await connectionApprovals(conn).request(request, new AbortController().signal);
    expect(outcome).toEqual({ decision: 'accept', requestId: 3 });
    expect(conn.sent).toEqual([{ method: 'item/commandExecution/requestApproval', params: { itemId: 'call_1' } }]);
  });

  test('an error answer is a failed request (reference 0.169.0: not a decline)', async () => {
    const outcome = await connectionApprovals(requester({ kind: 'error', requestId: 0, message: 'nope' })).request(request, new AbortController().signal);
    expect(outcome).toEqual({ decision: 'failed', requestId: 0 });
  });

  test('a closed connection or an aborted turn is a cancel', async () => {
    expect(await connectionApprovals(requester({ kind: 'gone', requestId: 1 })).request(request, new AbortController().signal)).toEqual({ decision: 'cancel', requestId: 1 });
    expect(await connectionApprovals(requester({ kind: 'gone', requestId: null })).request(request, new AbortController().signal)).toEqual({ decision: 'cancel', requestId: null });
  });
});
