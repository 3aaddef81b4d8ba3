/**
 * `thread/read {includeTurns:true}` of a stored thread decodes only the lines turns are made of
 * (`readRolloutSelected` + `rebuildTurns`). Its answer must be byte for byte the one of the full path
 * (`readWithLineage` + `rebuildHistory`): checked on the reference's and older releases' fixture rollouts
 * (copied), and on a generated 1,000-turn thread with every kind of line and item we know.
 */
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { LocalThreadStore } from '../../../src/rollout/local-thread-store.js';
import { readRolloutSelected } from '../../../src/rollout/reader.js';
import { silentLogger } from '../../../src/support/logger.js';
import { rebuildHistory, rebuildTurns, skipForTurns } from '../../../src/threads/history.js';
import { renderTurn } from '../../../src/threads/render/turn.js';
import { readThread, type ThreadQueryDeps } from '../../../src/threads/thread-queries.js';
import type { ThreadFacts } from '../../../src/threads/render/thread.js';
import { FIXTURES } from '../../support/paths.js';
import { tempHomeForTest } from '../../support/temp-home.js';

const home = (): string => tempHomeForTest();

function rollouts(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.jsonl') && path.basename(f).includes('rollout-'))
    .map((f) => path.join(dir, f));
}

const idOf = (file: string): string => /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/.exec(file)?.[1] as string;

function deps(store: LocalThreadStore): ThreadQueryDeps {
  return { store, stateDb: null, log: silentLogger(), loaded: () => undefined, storedFacts: (s) => ({ id: s.id }) as unknown as ThreadFacts };
}

/** The rendered turns of `thread/read` (the new path) and of the full parse, as the JSON the client receives. */
async function bothAnswers(codexHome: string, file: string): Promise<{ fast: string; full: string }> {
  const store = new LocalThreadStore(codexHome, null, { clock: { nowMs: () => Date.now() }, log: silentLogger() });
  const read = await readThread(deps(store), idOf(file), true);
  const full = rebuildHistory((await store.readWithLineage(file)).lines).turns;
  const render = (turns: typeof full): string => JSON.stringify(turns.map((t) => renderTurn({ ...t, itemsView: 'full' })));
  return { fast: render(read.turns), full: render(full) };
}

/** Whether the selective path answers alone (no fall-back to the full parse), and how many lines it passed over. */
async function selective(file: string): Promise<{ answered: boolean; elided: number }> {
  const selected = await readRolloutSelected(file, skipForTurns);
  return { answered: rebuildTurns(selected.lines, selected.elided === 0) !== null, elided: selected.elided };
}

describe('thread/read turns from the selected lines', () => {
  test('every fixture rollout (0.169.0, 0.130.0, 0.40.0, torn, unknown line types) reads the same as the full parse', async () => {
    const h = home();
    const copied: string[] = [];
    for (const version of ['0.169.0', '0.130.0', '0.40.0']) {
      cpSync(path.join(FIXTURES, 'rollouts', version), path.join(h, 'v', version), { recursive: true });
    }
    const derived = path.join(h, 'sessions', '2026', '11', '25');
    mkdirSync(derived, { recursive: true });
    for (const file of rollouts(path.join(FIXTURES, 'rollouts', 'derived'))) cpSync(file, path.join(derived, path.basename(file).replace(/^[a-z-]+\./, '')));
    for (const version of ['0.169.0', '0.130.0', '0.40.0']) copied.push(...rollouts(path.join(h, 'v', version)));
    copied.push(...rollouts(derived));
    expect(copied.length).toBe(9);
    const fastPath: string[] = [];
    for (const file of copied) {
      const codexHome = file.includes(`${path.sep}v${path.sep}`) ? path.join(h, 'v', /v\/([0-9.]+)\//.exec(file)?.[1] as string) : h;
      const { fast, full } = await bothAnswers(codexHome, file);
      expect(fast, file).toBe(full);
      expect(JSON.parse(full).length, file).toBeGreaterThan(0);
      const s = await selective(file);
      if (s.answered && s.elided > 0) fastPath.push(path.basename(file));
    }
    // The reference's own files take the selective path; the old formats (items named by line position) fall back.
    expect(fastPath.sort()).toEqual(copied.filter((f) => f.includes('0.169.0') || !f.includes(`${path.sep}v${path.sep}`)).map((f) => path.basename(f)).sort());
  });

  test('a generated 1,000-turn thread with tools, reasoning, failures, compaction and odd lines reads the same', async () => {
    const h = home();
    const threadId = '01a23c98-a98e-771d-a1cc-c39e1399d4bb';
    const file = path.join(h, 'sessions', '2026', '12', '03', `rollout-2026-12-03T15-49-27-${threadId}.jsonl`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, generatedThread(threadId, 1000));
    const { fast, full } = await bothAnswers(h, file);
    expect(fast).toBe(full);
    const turns = JSON.parse(full) as { status: string; items: { type: string }[] }[];
    expect(turns.length).toBe(1002); // the early item's turn, 1,000, the open one
    expect(new Set(turns.map((t) => t.status))).toEqual(new Set(['completed', 'failed', 'interrupted', 'inProgress']));
    expect(new Set(turns.flatMap((t) => t.items.map((i) => i.type)))).toEqual(
      new Set(['userMessage', 'agentMessage', 'reasoning', 'commandExecution', 'fileChange', 'contextCompaction']),
    );
    const s = await selective(file);
    expect(s.answered).toBe(true);
    expect(s.elided).toBeGreaterThan(5000);
  });

  test('a reference fork reads its source turns too (the selective path leaves forks to the full read)', async () => {
    const h = home();
    const source = '01a211bb-1b90-7a63-a05b-5f773a6eefd3';
    const fork = '01a211bb-9999-7000-8000-000000000001';
    const dayDir = path.join(h, 'sessions', '2026', '11', '25');
    mkdirSync(dayDir, { recursive: true });
    const fixture = rollouts(path.join(FIXTURES, 'rollouts', '0.169.0', 'sessions')).find((f) => f.includes('1b90')) as string;
    cpSync(fixture, path.join(dayDir, path.basename(fixture)));
    const ts = '2026-11-25T09:00:00.000Z';
    const forkLines = [
      { timestamp: ts, ordinal: 14, type: 'session_meta', payload: { id: fork, timestamp: ts, cwd: '/p', forked_from_id: source, forked_from_ordinal_exclusive: 14 } },
      { timestamp: ts, ordinal: 15, type: 'event_msg', payload: { type: 'task_started', turn_id: 't-f1', started_at: 1 } },
      { timestamp: ts, ordinal: 16, type: 'response_item', payload: { type: 'message', role: 'user', content: [] } },
      { timestamp: ts, ordinal: 17, type: 'event_msg', payload: { type: 'task_complete', turn_id: 't-f1' } },
    ];
    const forkPath = path.join(dayDir, `rollout-2026-11-25T09-00-00-${fork}.jsonl`);
    writeFileSync(forkPath, forkLines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const { fast, full } = await bothAnswers(h, forkPath);
    expect(fast).toBe(full);
    expect((JSON.parse(fast) as { id: string }[]).map((t) => t.id)).toEqual(['01a211bb-1bb2-7912-a58d-fa2a7306bc69', 't-f1']);
  });

  test('a line head in an unusual form is decoded, so an event it hides still counts', async () => {
    const h = home();
    const threadId = '01a23c98-a98e-771d-a1cc-c39e1399d4bc';
    const file = path.join(h, 'sessions', '2026', '12', '03', `rollout-2026-12-03T15-49-28-${threadId}.jsonl`);
    mkdirSync(path.dirname(file), { recursive: true });
    const ts = '2026-12-03T15:49:28.000Z';
    const lines = [
      JSON.stringify({ timestamp: ts, ordinal: 0, type: 'session_meta', payload: { id: threadId, timestamp: ts, cwd: '/p' } }),
      // Spaces after the colons: not the writers' form, so decoded (and it opens the turn).
      `{"timestamp": "${ts}", "type": "event_msg", "payload": {"type": "task_started", "turn_id": "t1", "started_at": 5}}`,
      // The payload type is not first: decoded.
      `{"timestamp":"${ts}","type":"event_msg","payload":{"turn_id":"t1","type":"item_completed","item":{"type":"AgentMessage","id":"a1","content":[{"type":"Text","text":"hi"}]}}}`,
      // The top-level type comes after the payload: decoded.
      `{"payload":{"type":"task_complete","turn_id":"t1","completed_at":9},"timestamp":"${ts}","type":"event_msg"}`,
      `{"timestamp":"${ts}","type":"response_item","payload":{"type":"message","role":"user","content":[]}}`,
    ];
    writeFileSync(file, lines.join('\n') + '\n');
    const { fast, full } = await bothAnswers(h, file);
    expect(fast).toBe(full);
    expect(JSON.parse(fast)).toMatchObject([{ id: 't1', status: 'completed', startedAt: 5, completedAt: 9, items: [{ type: 'agentMessage', id: 'a1', text: 'hi' }] }]);
    expect(await selective(file)).toEqual({ answered: true, elided: 1 });
  });
});

/**
 * A 0.169.0-shaped thread: per turn `task_started`, `turn_context`, response items (some with large tool output),
 * `item_completed` of several kinds, token lines, and an end that is a completion, a failure, an abort or an
 * `error` event; plus compactions, unknown line types, a garbage line, an item before any turn and a torn last line.
 */
function generatedThread(threadId: string, turns: number): string {
  const out: string[] = [];
  let ordinal = 0;
  const t0 = Date.parse('2026-12-03T15:49:27.000Z');
  const line = (atMs: number, type: string, payload: unknown, extra: Record<string, unknown> = {}): void => {
    out.push(JSON.stringify({ timestamp: new Date(atMs).toISOString(), ordinal: ordinal++, type, payload, ...extra }));
  };
  const event = (atMs: number, payload: Record<string, unknown>): void => line(atMs, 'event_msg', payload);
  const completed = (atMs: number, turnId: string, item: Record<string, unknown>): void =>
    event(atMs, { type: 'item_completed', thread_id: threadId, turn_id: turnId, item, started_at_ms: atMs - 3, completed_at_ms: atMs });
  line(t0, 'session_meta', { id: threadId, timestamp: new Date(t0).toISOString(), cwd: '/p', base_instructions: { text: 'be brief' } });
  line(t0, 'world_state', { full: true, state: {} });
  // An item before any turn opens one named after its turn id.
  completed(t0 + 1, 'orphan-turn', { type: 'AgentMessage', id: 'orphan', content: [{ type: 'Text', text: 'early' }] });
  for (let k = 1; k <= turns; k += 1) {
    const at = t0 + k * 1000;
    const turnId = `turn-${k}`;
    event(at, { type: 'task_started', turn_attribution: { turn_id: turnId }, turn_id: turnId, root_turn_id: turnId, started_at: Math.floor(at / 1000) });
    line(at, 'turn_context', { turn_id: turnId, cwd: '/p', model: 'mock-model' });
    line(at + 1, 'response_item', { type: 'message', id: `m${k}`, role: 'user', content: [{ type: 'input_text', text: `step ${k}` }] }, { metadata: { history_sequence: k } });
    completed(at + 2, turnId, { type: 'UserMessage', id: `u${k}`, content: [{ type: 'text', text: `step ${k} ünïcode ✓`, text_elements: [] }] });
    if (k % 3 === 0) completed(at + 3, turnId, { type: 'Reasoning', id: `r${k}`, summary_text: ['thinking'], raw_content: [] });
    if (k % 4 === 0) {
      line(at + 4, 'response_item', { type: 'function_call', name: 'exec_command', arguments: '{"cmd":"ls"}', call_id: `c${k}` });
      line(at + 5, 'response_item', { type: 'function_call_output', call_id: `c${k}`, output: 'x'.repeat(4000) + '"\\\n' });
      completed(at + 6, turnId, {
        type: 'CommandExecution', id: `c${k}`, process_id: '7', command: ['/bin/bash', '-lc', 'ls'], cwd: '/p', parsed_cmd: [], source: 'unified_exec_startup',
        status: k % 8 === 0 ? 'failed' : 'completed', aggregated_output: 'a\nb\n', exit_code: k % 8 === 0 ? 1 : 0, duration: { secs: 0, nanos: 5_000_000 },
      });
      event(at + 6, { type: 'exec_command_end', call_id: `c${k}`, stdout: 'a\nb\n' });
    }
    if (k % 5 === 0) completed(at + 7, turnId, { type: 'FileChange', id: `p${k}`, changes: { 'src/a.ts': { type: 'add', content: 'x\n' } }, status: 'completed', stdout: '', stderr: '' });
    if (k % 50 === 0) {
      line(at + 8, 'compacted', { message: 'summary', replacement_history: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'summary' }] }] });
      completed(at + 8, turnId, { type: 'ContextCompaction', id: `cc${k}` });
    }
    if (k % 97 === 0) out.push('{"timestamp":"2026-12-03T15:49:27.000Z","type":"event_msg","payload":{"type":"task_comp'); // garbage mid-file
    if (k % 71 === 0) line(at + 9, 'future_line_type', { anything: true });
    completed(at + 10, turnId, { type: 'AgentMessage', id: `a${k}`, content: [{ type: 'Text', text: 'Done' }], phase: null });
    line(at + 10, 'response_item', { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Done' }] });
    line(at + 11, 'token_usage_record', { thread_id: threadId, turn_id: turnId });
    event(at + 11, { type: 'token_count', info: { total_token_usage: { input_tokens: k }, last_token_usage: { input_tokens: 1 } } });
    if (k % 10 === 1) event(at + 12, { type: 'task_complete', turn_id: turnId, error: { message: 'boom', codex_error_info: 'internal_server_error' }, started_at: Math.floor(at / 1000), completed_at: Math.floor(at / 1000) + 1 });
    else if (k % 10 === 2) event(at + 12, { type: 'turn_aborted', turn_id: turnId, reason: 'interrupted', started_at: Math.floor(at / 1000), completed_at: Math.floor(at / 1000) + 1, duration_ms: 12 });
    else if (k % 10 === 3) event(at + 12, { type: 'error', message: 'stream failed' });
    else event(at + 12, { type: 'task_complete', turn_id: turnId, last_agent_message: 'Done', started_at: Math.floor(at / 1000), completed_at: Math.floor(at / 1000) + 1, duration_ms: 1000 + k });
  }
  // A last turn left open, then a torn line.
  event(t0 + (turns + 1) * 1000, { type: 'task_started', turn_id: 'open-turn', started_at: 1 });
  return out.join('\n') + '\n{"timestamp":"2026-12-03T16:10:00.000Z","type":"event_msg","payload":{"type":"item_comple';
}
