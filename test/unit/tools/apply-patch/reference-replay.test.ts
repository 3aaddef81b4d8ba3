/**
 * The apply_patch handler replaying scenarios captured from the reference (codex app-server 0.169.0 with a mock
 * model sending `custom_tool_call` apply_patch items; fixtures/reference-0.169.json): the same files and patches
 * must give the same `fileChange` items, approval params, per-patch `turn/diff/updated`, model outputs and rollout
 * `item_completed` payloads, once timestamps, thread/turn ids and the wall time are set aside.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { JsonObject } from '../../../../src/support/json-values.js';
import type { ApprovalDecision } from '../../../../src/tools/approval.js';
import { fileChangeItemFromRollout } from '../../../../src/tools/apply-patch/file-change-item.js';
import { createApplyPatchHandler } from '../../../../src/tools/apply-patch/handler.js';
import { TurnDiffs } from '../../../../src/tools/apply-patch/turn-diff-tracker.js';
import type { ApprovalPolicy } from '../../../../src/tools/tool.js';
import { tempHomeForTest } from '../../../support/temp-home.js';
import { fakeContext, sandboxOf } from './fake-context.js';

interface Scenario {
  name: string;
  title: string;
  approvalPolicy: ApprovalPolicy;
  sandbox: 'read-only' | 'workspace-write';
  decision: ApprovalDecision | null;
  patches: string[];
  reference: { events: JsonObject[]; outputs: string[]; rollout: JsonObject[]; threadReadItems: JsonObject[] };
}
const FIXTURE = JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures/reference-0.169.json'), 'utf8')) as {
  files: Record<string, string>;
  scenarios: Scenario[];
};

/** Timestamps become `T`, the thread cwd `<cwd>`, ids of the run `ID`. */
function normalise(value: unknown, cwd: string): unknown {
  const text = JSON.stringify(value).replaceAll(cwd, '<cwd>');
  return JSON.parse(text, (key, v) => {
    if (['startedAtMs', 'completedAtMs', 'started_at_ms', 'completed_at_ms'].includes(key) && typeof v === 'number') return 'T';
    if (['thread_id', 'turn_id'].includes(key)) return 'ID';
    return v;
  });
}

const wallTime = (s: string): string => s.replace(/^Wall time: [0-9.]+ seconds$/m, 'Wall time: <t> seconds');

/** The reference's events in our terms: items, approval params without ids/stamps, and only the per-patch diffs. */
function referenceEvents(events: JsonObject[]): unknown[] {
  const out: unknown[] = [];
  let previous: string | undefined;
  for (const e of events) {
    const method = e['method'] as string | undefined;
    const params = e['params'] as JsonObject | undefined;
    if (method === 'item/started' || method === 'item/completed') out.push({ kind: method, item: params!['item'] });
    else if (method === 'item/fileChange/requestApproval') {
      const { startedAtMs: _s, ...rest } = params!;
      out.push({ kind: 'approve', params: rest });
    } else if (method === 'turn/diff/updated' && previous === 'item/completed') {
      // The diffs sent again after each model response are the turn runner's, not the tool's.
      out.push({ kind: 'turn/diff/updated', diff: params!['diff'] });
    }
    if (method) previous = method;
  }
  return out;
}

describe('apply_patch replays the reference', () => {
  test.for(FIXTURE.scenarios)('$name: $title', async (scenario) => {
    const root = tempHomeForTest('cas-apply-');
    const cwd = path.join(root, 'work');
    mkdirSync(cwd);
    // A repository at the cwd pins the turn diff's paths to it, whatever lies above the temp dir (a stray /tmp/.git).
    mkdirSync(path.join(cwd, '.git'));
    for (const [file, text] of Object.entries(FIXTURE.files)) writeFileSync(path.join(cwd, file), text);
    const turnDiffs = new TurnDiffs();
    const cx = fakeContext({
      cwd,
      approvalPolicy: scenario.approvalPolicy,
      sandbox: sandboxOf(scenario.sandbox),
      decisions: scenario.decision ? [scenario.decision] : [],
    });
    const handler = createApplyPatchHandler({ turnDiffs, emitTurnDiff: (_thread, _turn, diff) => cx.events.push({ kind: 'turn/diff/updated', diff }) });
    const outputs: string[] = [];
    for (const [i, patch] of scenario.patches.entries()) {
      const result = await handler.handle({ type: 'custom_tool_call', name: 'apply_patch', callId: `call_${i + 1}`, input: patch }, cx);
      outputs.push(result.output);
    }

    const ours = cx.events.flatMap((e): unknown[] => {
      if (e.kind === 'item/started' || e.kind === 'item/completed') return [{ kind: e.kind, item: e.item }];
      if (e.kind === 'approve') {
        const { threadId, turnId, startedAtMs: _s, ...rest } = e.request.params;
        expect([threadId, turnId, e.request.method]).toEqual(['thread-1', 'turn-1', 'item/fileChange/requestApproval']);
        return [{ kind: 'approve', params: rest }];
      }
      if (e.kind === 'turn/diff/updated') return [e];
      return [];
    });
    expect(normalise(ours, cwd)).toEqual(normalise(referenceEvents(scenario.reference.events), '<cwd>'));
    expect(outputs.map((o) => wallTime(o.replaceAll(cwd, '<cwd>')))).toEqual(scenario.reference.outputs.map(wallTime));
    const records = cx.events.flatMap((e) => (e.kind === 'record' ? e.payloads : []));
    expect(normalise(records, cwd)).toEqual(normalise(scenario.reference.rollout, '<cwd>'));
  });
});

describe('fileChange items rebuilt from the rollout', () => {
  test.for(FIXTURE.scenarios)('$name: the reference\'s own lines give its thread/read items, stamps included', (scenario) => {
    expect(scenario.reference.rollout.map(fileChangeItemFromRollout)).toEqual(scenario.reference.threadReadItems);
  });

  test('other item_completed payloads are not fileChange items', () => {
    expect(fileChangeItemFromRollout({ type: 'item_completed', item: { type: 'UserMessage', id: 'u', content: [] } })).toBeNull();
    expect(fileChangeItemFromRollout({ type: 'task_started' })).toBeNull();
    expect(fileChangeItemFromRollout({ type: 'item_completed', item: { type: 'FileChange', id: 'c', changes: { '/a': { type: 'rename' } } } })).toBeNull();
  });
});
