/**
 * Threads with tool calls across implementations (issue 14), with the reference Codex app-server 0.169.0 (skipped
 * when it is absent): the reference reads, resumes and continues a thread whose command our server ran, and we do
 * the same with one it ran. The command item must come back identical from the rollout on both sides.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMockResponsesServer, evAssistantMessage, evCompleted, evCreated, evFunctionCall, sseResponse, type MockResponsesServer } from '../../src/testing/index.js';
import { lastUserText } from './mock-model.js';
import { ensureReference, withSide, writeSharedConfig, type Json, type Session, type Side } from './servers.js';
import { INSTALL_HOOK_TIMEOUT_MS, makeInteropHome, ourServerMissing } from './tools.js';

const RUN_MARKER = 'please-run-a-command';
let skipReason: string | null = 'not resolved yet';
let mock: MockResponsesServer;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  skipReason = ourServerMissing() ?? ((await ensureReference()).reason || null);
  if (skipReason) console.warn(`[interop] tool-call resume tests with the reference skipped: ${skipReason}`);
  // A user message asking for a command gets an exec_command call; anything else (its output included) an answer.
  mock = await createMockResponsesServer((request) => {
    const input = ((request.body as Json | null)?.['input'] ?? []) as Json[];
    const last = input.at(-1);
    if (last?.['type'] === 'message' && lastUserText(request).includes(RUN_MARKER)) {
      return sseResponse([evCreated('r1'), evFunctionCall(`call_${input.length}`, 'exec_command', JSON.stringify({ cmd: 'echo hi', yield_time_ms: 10000 })), evCompleted('r1')]);
    }
    return sseResponse([evCreated('r2'), ...evAssistantMessage('m', 'Done'), evCompleted('r2')]);
  });
}, INSTALL_HOOK_TIMEOUT_MS);
afterAll(async () => {
  for (const c of cleanups.splice(0)) c();
  await mock?.close();
});

function commandItems(thread: Json): Json[] {
  return (thread['turns'] as Json[]).flatMap((t) => t['items'] as Json[]).filter((i) => i['type'] === 'commandExecution');
}

async function writer(side: Side, dirs: { codexHome: string; home: string }): Promise<{ threadId: string; item: Json }> {
  const out = await withSide(side, dirs, mock, async (s: Session) => {
    const threadId = String((await s.req('thread/start', {}))['thread']['id']);
    const done = await s.turn(threadId, RUN_MARKER);
    expect(done['turn']['status']).toBe('completed');
    const read = await s.req('thread/read', { threadId, includeTurns: true });
    return { threadId, item: commandItems(read['thread'])[0] as Json };
  });
  expect(out.exitCode).toBe(0);
  return out.value;
}

async function reader(side: Side, dirs: { codexHome: string; home: string }, threadId: string): Promise<{ read: Json[]; resumed: Json[]; followUp: Json }> {
  const out = await withSide(side, dirs, mock, async (s: Session) => {
    const read = commandItems((await s.req('thread/read', { threadId, includeTurns: true }))['thread']);
    const resumed = commandItems((await s.req('thread/resume', { threadId }))['thread']);
    const followUp = await s.turn(threadId, 'and now?');
    return { read, resumed, followUp };
  });
  expect({ side, exitCode: out.exitCode, rolloutWarnings: out.rolloutWarnings }).toEqual({ side, exitCode: 0, rolloutWarnings: [] });
  return out.value;
}

/** The item without its clock fields (each side measured its own run). */
function stable(item: Json): Json {
  const { startedAtMs: _s, completedAtMs: _c, durationMs: _d, processId: _p, ...rest } = item;
  return rest;
}

describe('threads with tool calls, shared with the reference', () => {
  for (const [writerSide, readerSide] of [['ours', 'reference'], ['reference', 'ours']] as const) {
    test(`${readerSide} reads, resumes and continues a thread whose command ${writerSide} ran`, async (ctx) => {
      if (skipReason) return ctx.skip(skipReason);
      const dirs = makeInteropHome(`tools-${writerSide}`);
      cleanups.push(dirs.cleanup);
      await writeSharedConfig(dirs.codexHome, mock);
      const written = await writer(writerSide, dirs);
      expect(written.item).toMatchObject({ type: 'commandExecution', command: "/bin/bash -lc 'echo hi'", status: 'completed', exitCode: 0, aggregatedOutput: 'hi\n' });
      const before = mock.responsesRequests().length;
      const { read, resumed, followUp } = await reader(readerSide, dirs, written.threadId);
      expect(read.map(stable)).toEqual([stable(written.item)]);
      expect(resumed.map(stable)).toEqual([stable(written.item)]);
      expect(followUp['turn']['status']).toBe('completed');
      // The continued conversation carries the call and its output as the writer recorded them.
      const body = mock.responsesRequests()[before]!.body as Json;
      const input = body['input'] as Json[];
      const call = input.find((i) => i['type'] === 'function_call')!;
      const output = input.find((i) => i['type'] === 'function_call_output')!;
      expect(call).toMatchObject({ name: 'exec_command', call_id: output['call_id'] });
      expect(String(output['output'])).toContain('Process exited with code 0');
    });
  }
});
