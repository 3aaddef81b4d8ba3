/**
 * The `commandExecution` item of a command, on the wire (v2 ThreadItem) and in the rollout (the reference records
 * an `item_completed` event_msg with a `CommandExecution` item when a command ends; declined commands record
 * nothing), and the rebuild of the wire item from that rollout line for `thread/read` and resume.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JsonObject } from '../../support/json-values.js';
import type { CommandAction } from './command-actions.js';
import { truncateForPersistence } from './truncate.js';

export type CommandStatus = 'inProgress' | 'completed' | 'failed' | 'declined';
export type CommandSource = 'agent' | 'unifiedExecStartup';

export interface CommandItemState {
  id: string;
  /** The argv, e.g. `['/bin/bash', '-lc', 'echo hi']`. */
  argv: string[];
  /** The argv rendered as the reference renders it. */
  command: string;
  cwd: string;
  processId: string | null;
  source: CommandSource;
  status: CommandStatus;
  actions: CommandAction[];
  aggregatedOutput: string | null;
  exitCode: number | null;
  durationMs: number | null;
  startedAtMs: number;
  completedAtMs: number | null;
}

export function commandItem(state: CommandItemState): JsonObject {
  return {
    type: 'commandExecution',
    id: state.id,
    pluginId: null,
    scriptPath: null,
    command: state.command,
    cwd: state.cwd,
    processId: state.processId,
    source: state.source,
    status: state.status,
    commandActions: state.actions as unknown as JsonObject[],
    aggregatedOutput: state.aggregatedOutput,
    exitCode: state.exitCode,
    durationMs: state.durationMs,
    startedAtMs: state.startedAtMs,
    completedAtMs: state.completedAtMs,
  };
}

/** The rollout `event_msg` payload of a finished command (`aggregated_output` capped at 64 KiB, as the reference). */
export function commandItemCompletedEvent(state: CommandItemState, threadId: string, turnId: string, durationNanos: number): JsonObject {
  return {
    type: 'item_completed',
    thread_id: threadId,
    turn_id: turnId,
    item: {
      type: 'CommandExecution',
      id: state.id,
      process_id: state.processId,
      command: state.argv,
      cwd: pathToFileURL(state.cwd).href,
      parsed_cmd: state.actions.map(toRolloutAction),
      source: state.source === 'agent' ? 'agent' : 'unified_exec_startup',
      status: state.status,
      aggregated_output: truncateForPersistence(state.aggregatedOutput ?? ''),
      exit_code: state.exitCode,
      duration: { secs: Math.floor(durationNanos / 1e9), nanos: Math.floor(durationNanos % 1e9) },
    },
    started_at_ms: state.startedAtMs,
    completed_at_ms: state.completedAtMs,
  };
}

function toRolloutAction(action: CommandAction): JsonObject {
  switch (action.type) {
    case 'read':
      return { type: 'read', cmd: action.command, name: action.name, path: action.path };
    case 'listFiles':
      return { type: 'list_files', cmd: action.command, path: action.path };
    case 'search':
      return { type: 'search', cmd: action.command, query: action.query, path: action.path };
    case 'unknown':
      return { type: 'unknown', cmd: action.command };
  }
}

function fromRolloutAction(raw: JsonObject): CommandAction {
  const command = typeof raw['cmd'] === 'string' ? raw['cmd'] : '';
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  switch (raw['type']) {
    case 'read':
      return { type: 'read', command, name: str(raw['name']) ?? '', path: str(raw['path']) ?? '' };
    case 'list_files':
      return { type: 'listFiles', command, path: str(raw['path']) };
    case 'search':
      return { type: 'search', command, query: str(raw['query']), path: str(raw['path']) };
    default:
      return { type: 'unknown', command };
  }
}

const SOURCES: Record<string, string> = {
  agent: 'agent',
  user_shell: 'userShell',
  unified_exec_startup: 'unifiedExecStartup',
  unified_exec_interaction: 'unifiedExecInteraction',
};

/**
 * The final v2 `commandExecution` item from a rollout `item_completed` payload whose item is a `CommandExecution`
 * (null for any other payload). `command` is re-rendered from the recorded argv.
 */
export function commandItemFromRollout(payload: JsonObject, render: (argv: string[]) => string): JsonObject | null {
  if (payload['type'] !== 'item_completed') return null;
  const raw = payload['item'];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const item = raw as JsonObject;
  if (item['type'] !== 'CommandExecution') return null;
  const argv = Array.isArray(item['command']) ? item['command'].filter((a): a is string => typeof a === 'string') : [];
  const cwdRaw = typeof item['cwd'] === 'string' ? item['cwd'] : '';
  const duration = item['duration'] as JsonObject | null | undefined;
  const durationMs =
    duration && typeof duration === 'object' && typeof duration['secs'] === 'number' && typeof duration['nanos'] === 'number'
      ? duration['secs'] * 1000 + Math.floor(duration['nanos'] / 1e6)
      : null;
  const actions = Array.isArray(item['parsed_cmd']) ? item['parsed_cmd'].filter((a): a is JsonObject => typeof a === 'object' && a !== null && !Array.isArray(a)).map(fromRolloutAction) : [];
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  return commandItem({
    id: typeof item['id'] === 'string' ? item['id'] : '',
    argv,
    command: render(argv),
    cwd: cwdRaw.startsWith('file://') ? fileURLToPath(cwdRaw) : cwdRaw,
    processId: typeof item['process_id'] === 'string' ? item['process_id'] : null,
    source: (SOURCES[String(item['source'])] ?? 'agent') as CommandSource,
    status: (['inProgress', 'completed', 'failed', 'declined'].includes(String(item['status'])) ? item['status'] : 'completed') as CommandStatus,
    actions,
    aggregatedOutput: typeof item['aggregated_output'] === 'string' ? item['aggregated_output'] : null,
    exitCode: num(item['exit_code']),
    durationMs,
    startedAtMs: num(payload['started_at_ms']) ?? 0,
    completedAtMs: num(payload['completed_at_ms']),
  });
}
