import { expect, test } from 'vitest';
import type { IndexedThreadInput } from '../../../src/rollout/thread-index.js';
import { prepareStateDbParts, StateDb } from '../../../src/state/state-db.js';
import { threadIdFor } from './helpers.js';
import { manualClock, schemaDb } from './k-db.js';

const [A, B, C, D] = [1, 2, 3, 4].map((n) => threadIdFor(n)) as [string, string, string, string];

function row(id: string): IndexedThreadInput {
  return {
    id, rolloutPath: `/nowhere/rollout-${id}.jsonl`, archived: false, createdAtMs: 1_700_000_000_000, updatedAtMs: 1_700_000_000_000,
    recencyAtMs: 1_700_000_000_000, source: 'cli', spawn: null, modelProvider: 'p', model: null, cwd: '/w', cliVersion: '0.169.0',
    originator: 'o', preview: 'x', tokensUsed: 0, approvalMode: 'never', sandboxPolicy: '{}', name: null, archivedAtMs: null,
  };
}

test('gitInfos and readStates answer a page as gitInfo and readState answer each of its threads', () => {
  let n = 0;
  const state = new StateDb(prepareStateDbParts(schemaDb(), manualClock(1_700_000_000_000), { uuid4: () => `rev-${++n}`, uuid7: () => 'unused' }, 'openai'), {
    schema: 'created', backfill: null, waitedMs: 0,
  });
  for (const id of [A, B, C]) state.upsertThread(row(id));
  state.updateGitInfo(A, { sha: 'abc', originUrl: 'https://x' });
  state.updateGitInfo(B, { branch: 'main' });
  state.updateGitInfo(B, { branch: null });
  state.recordCompletedTurn(A, 'turn-a');
  state.recordCompletedTurn(C, 'turn-c');
  state.recordCompletedTurn(C, 'turn-c2');

  // D has no row at all; A is asked twice.
  const page = [A, B, C, D, A];
  const perThread = <T>(lookup: (id: string) => T | null): Map<string, T> =>
    new Map(page.flatMap((id) => {
      const value = lookup(id);
      return value === null ? [] : [[id, value] as [string, T]];
    }));
  expect(state.gitInfos(page)).toEqual(perThread((id) => state.gitInfo(id)));
  expect(state.gitInfos(page)).toEqual(new Map([[A, { sha: 'abc', branch: null, originUrl: 'https://x' }]]));
  expect(state.readStates(page)).toEqual(perThread((id) => state.readState(id)));
  expect([...state.readStates(page).keys()].sort()).toEqual([A, C].sort());
  expect(state.gitInfos([])).toEqual(new Map());
  expect(state.readStates([])).toEqual(new Map());
});
