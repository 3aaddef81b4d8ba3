import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseRolloutText, readRollout } from '../../../src/rollout/reader.js';
import { summarizeRollout } from '../../../src/rollout/summary.js';
import { rebuildHistory } from '../../../src/threads/history.js';
import { FIXTURES } from '../../support/paths.js';

const sessions = (version: string) => path.join(FIXTURES, 'rollouts', version, 'sessions', '2026', '11', '25');
const fileOf = (version: string, idPart: string) => {
  const dir = sessions(version);
  const name = readdirSync(dir).find((f) => f.includes(idPart));
  if (!name) throw new Error(`fixture ${idPart} missing`);
  return path.join(dir, name);
};

describe('reading rollouts the reference wrote', () => {
  test('0.169.0: two turns with item_completed events, tokens and preview', async () => {
    const file = fileOf('0.169.0', '1b90');
    const summary = await summarizeRollout(file, false);
    expect(summary).toMatchObject({ id: '01a211bb-1b90-7a63-a05b-5f773a6eefd3', preview: 'hello', tokensUsed: 210, model: 'mock-model', modelProvider: 'mock_provider', source: 'vscode', originator: 'fixture_client', cliVersion: '0.169.0', lineCount: 23 });
    const history = rebuildHistory((await readRollout(file)).lines);
    expect(history.turns.map((t) => [t.status, t.items.map((i) => [i['type'], i['text'] ?? (i['content'] as { text: string }[])[0]?.text])])).toEqual([
      ['completed', [['userMessage', 'hello'], ['agentMessage', 'Done']]],
      ['completed', [['userMessage', 'again'], ['agentMessage', 'Done']]],
    ]);
    expect(history.totalUsage?.totalTokens).toBe(210);
    // Base instructions, developer context, environment context, then the conversation.
    expect(history.modelInput.map((i) => i['role'])).toEqual(['developer', 'developer', 'user', 'user', 'assistant', 'user', 'assistant']);
  });

  test('0.130.0: user_message / agent_message events inside task markers', async () => {
    const file = fileOf('0.130.0', '3488');
    const history = rebuildHistory((await readRollout(file)).lines);
    expect(history.turns.map((t) => t.items.map((i) => i['type']))).toEqual([
      ['userMessage', 'agentMessage'],
      ['userMessage', 'agentMessage'],
    ]);
    expect(history.turns.every((t) => t.status === 'completed')).toBe(true);
    expect((await summarizeRollout(file, false))?.tokensUsed).toBe(210);
  });

  test('0.40.0: no task markers, a user message starts each turn', async () => {
    const file = fileOf('0.40.0', '4a9e');
    const history = rebuildHistory((await readRollout(file)).lines);
    expect(history.turns).toHaveLength(2);
    expect(history.turns.map((t) => t.items.map((i) => i['type']))).toEqual([
      ['userMessage', 'agentMessage'],
      ['userMessage', 'agentMessage'],
    ]);
    expect((await summarizeRollout(file, false))?.preview).toBe('hello');
  });

  test('a torn last line is skipped and the rest stays readable', async () => {
    const dir = path.join(FIXTURES, 'rollouts', 'derived');
    const file = path.join(dir, readdirSync(dir).find((f) => f.startsWith('torn-last-line')) as string);
    const contents = await readRollout(file);
    expect(contents.lines).toHaveLength(13);
    expect(contents.skipped).toEqual([13]);
    expect(contents.endsWithNewline).toBe(false);
    const summary = await summarizeRollout(file, false);
    expect(summary).toMatchObject({ id: '01a211bb-1ef3-7882-abb1-5aab83601296', preview: 'hello', tokensUsed: 105, lineCount: 13 });
    const history = rebuildHistory(contents.lines);
    expect(history.turns).toHaveLength(1);
    expect(history.turns[0]?.items).toHaveLength(2);
  });

  test('unknown line types are kept as they are', async () => {
    const dir = path.join(FIXTURES, 'rollouts', 'derived');
    const file = path.join(dir, readdirSync(dir).find((f) => f.startsWith('unknown-line-type')) as string);
    const contents = await readRollout(file);
    expect(contents.lines).toHaveLength(24);
    const unknown = contents.lines.find((l) => l.type === 'future_line_kind');
    expect(unknown?.payload).toMatchObject({ type: 'future_payload_kind', value: 42 });
    expect(rebuildHistory(contents.lines).turns).toHaveLength(2);
  });

  test('blank and garbage lines in the middle are skipped, not fatal', () => {
    const text = '{"timestamp":"2026-01-01T00:00:00.000Z","type":"session_meta","payload":{"id":"x"}}\n\nnot json\n{"timestamp":"2026-01-01T00:00:01.000Z","type":"event_msg","payload":{"type":"user_message","message":"hi"}}\n';
    const contents = parseRolloutText(text);
    expect(contents.lines.map((l) => l.type)).toEqual(['session_meta', 'event_msg']);
    expect(contents.skipped).toEqual([2]);
  });
});
