/** Rebuilding the commandExecution item from the reference's rollout line, as its thread/read returned it. */
import { describe, expect, test } from 'vitest';
import { commandItemFromRollout, renderCommand } from '../../../../src/tools/exec/index.js';
import { commandItemCompletedEvent, type CommandItemState } from '../../../../src/tools/exec/items.js';

// Captured from the reference 0.169 (rollout event_msg payload, then its thread/read item).
const ROLLOUT_PAYLOAD = {
  type: 'item_completed',
  thread_id: '01a23a81-1d22-7231-bb4f-df62cdc3c69e',
  turn_id: '01a23a81-1d3e-7913-ac5d-929ef4663653',
  item: {
    type: 'CommandExecution', id: 'call_1_0', process_id: '76820',
    command: ['/bin/bash', '-lc', 'echo esc > /root/refhome-a-escA.txt; cat /root/refhome-a-escA.txt'],
    cwd: 'file:///root/refhome-a-cwdA',
    parsed_cmd: [{ type: 'unknown', cmd: 'echo esc > /root/refhome-a-escA.txt; cat /root/refhome-a-escA.txt' }],
    source: 'unified_exec_startup', status: 'completed', aggregated_output: 'esc\n', exit_code: 0,
    duration: { secs: 0, nanos: 117168852 },
  },
  started_at_ms: 1796277870060,
  completed_at_ms: 1796277870354,
};
const READ_ITEM = {
  type: 'commandExecution', id: 'call_1_0', pluginId: null, scriptPath: null,
  command: "/bin/bash -lc 'echo esc > /root/refhome-a-escA.txt; cat /root/refhome-a-escA.txt'", cwd: '/root/refhome-a-cwdA',
  processId: '76820', source: 'unifiedExecStartup', status: 'completed',
  commandActions: [{ type: 'unknown', command: 'echo esc > /root/refhome-a-escA.txt; cat /root/refhome-a-escA.txt' }],
  aggregatedOutput: 'esc\n', exitCode: 0, durationMs: 117, startedAtMs: 1796277870060, completedAtMs: 1796277870354,
};

describe('commandItemFromRollout', () => {
  test("rebuilds the reference's thread/read item from its rollout line", () => {
    expect(commandItemFromRollout(ROLLOUT_PAYLOAD, renderCommand)).toEqual(READ_ITEM);
  });

  test('other payloads are not command items', () => {
    expect(commandItemFromRollout({ type: 'item_completed', item: { type: 'AgentMessage', id: 'm' } }, renderCommand)).toBeNull();
    expect(commandItemFromRollout({ type: 'task_started' }, renderCommand)).toBeNull();
  });

  test('our rollout line round-trips (list_files / read / search actions too)', () => {
    const state: CommandItemState = {
      id: 'call_9', argv: ['/bin/bash', '-lc', 'cat a.txt; ls src; rg foo'], command: "/bin/bash -lc 'cat a.txt; ls src; rg foo'", cwd: '/w w',
      processId: '1234', source: 'unifiedExecStartup', status: 'failed',
      actions: [
        { type: 'read', command: 'cat a.txt', name: 'a.txt', path: '/w w/a.txt' },
        { type: 'listFiles', command: 'ls src', path: 'src' },
        { type: 'search', command: 'rg foo', query: 'foo', path: null },
      ],
      aggregatedOutput: 'x', exitCode: 2, durationMs: 1500, startedAtMs: 10, completedAtMs: 1510,
    };
    const payload = commandItemCompletedEvent(state, 't', 'u', 1_500_000_000);
    expect(payload['item']).toMatchObject({ cwd: 'file:///w%20w', duration: { secs: 1, nanos: 500_000_000 }, parsed_cmd: [{ type: 'read', cmd: 'cat a.txt', name: 'a.txt', path: '/w w/a.txt' }, { type: 'list_files', cmd: 'ls src', path: 'src' }, { type: 'search', cmd: 'rg foo', query: 'foo', path: null }] });
    const rebuilt = commandItemFromRollout(payload, renderCommand)!;
    expect(rebuilt).toEqual({
      type: 'commandExecution', id: 'call_9', pluginId: null, scriptPath: null, command: state.command, cwd: '/w w', processId: '1234',
      source: 'unifiedExecStartup', status: 'failed', commandActions: state.actions, aggregatedOutput: 'x', exitCode: 2, durationMs: 1500,
      startedAtMs: 10, completedAtMs: 1510,
    });
  });
});
