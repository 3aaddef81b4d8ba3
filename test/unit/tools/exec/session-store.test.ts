/** The session store's ids and its 64-session cap (the reference's pruning policy), without processes. */
import { describe, expect, test } from 'vitest';
import type { CommandItemState } from '../../../../src/tools/exec/items.js';
import { MAX_SESSIONS, SessionStore } from '../../../../src/tools/exec/session-store.js';
import { fakeContext } from './fake-context.js';

const item = {} as CommandItemState;

describe('SessionStore', () => {
  test('ids are numbers in 1000..99999, unique while reserved', () => {
    const values = [0, 0, 0.5, 0.999999];
    const store = new SessionStore(() => values.shift()!);
    expect(store.allocateId()).toBe('1000');
    expect(store.allocateId()).toBe('50500');
    expect(store.allocateId()).toBe('99999');
  });

  test('a 65th session prunes the least recently used exited one outside the 8 most recent', () => {
    let n = 0;
    const store = new SessionStore(() => (n++ % 99_000) / 99_000);
    const { cx } = fakeContext({ cwd: '/' });
    const killed: string[] = [];
    const sessions = Array.from({ length: MAX_SESSIONS }, () => {
      const s = store.create(store.allocateId(), cx, item, false, 0n);
      s.process = { pid: 1, tty: false, write: () => undefined, kill: () => void killed.push(s.processId) };
      store.store(s);
      return s;
    });
    sessions[5]!.exitCode = 0; // exited: pruned before older running ones
    store.get(sessions[0]!.processId); // recently used
    const extra = store.create(store.allocateId(), cx, item, false, 0n);
    store.store(extra);
    expect(store.size).toBe(MAX_SESSIONS);
    expect(killed).toEqual([sessions[5]!.processId]);
    expect(store.get(sessions[5]!.processId)).toBeUndefined();
    // Next prune: the least recently used running one (sessions[1]; sessions[0] was touched).
    store.store(store.create(store.allocateId(), cx, item, false, 0n));
    expect(killed).toEqual([sessions[5]!.processId, sessions[1]!.processId]);
  });
});
