/**
 * src/rollout/summary.ts on hand-made rollouts (mutation testing, issue 17): which line gives each field, the
 * fallbacks (file name, mtime, defaults), what is counted as a line, the raw-byte classification staying inside
 * one line, the base_instructions shortcut, and the visible texts collected in the same pass.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { summarizeRollout, summarizeRolloutBuffer, summarizeRolloutSync } from '../../../src/rollout/summary.js';
import { tempHomeForTest } from '../../support/temp-home.js';

const ID = '01900000-0000-7000-8000-0000000000c3';
const FORK_SOURCE = '01900000-0000-7000-8000-0000000000d4';
const NAME = `rollout-2025-11-12T13-14-15-${ID}.jsonl`;
const NAME_MS = Date.UTC(2025, 10, 12, 13, 14, 15);
const MTIME = 1_800_000_000_123;

const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const line = (ts: string, type: string, payload: unknown) => JSON.stringify({ timestamp: ts, type, payload });
const meta = (over: Record<string, unknown> = {}) =>
  line(T(0), 'session_meta', { id: ID, timestamp: T(0), cwd: '/w', originator: 'orig', cli_version: '0.169.0', source: 'cli', model_provider: 'prov', ...over });
const ev = (s: number, payload: Record<string, unknown>) => line(T(s), 'event_msg', payload);
const userItem = (s: number, texts: unknown) => ev(s, { type: 'item_completed', item: { type: 'UserMessage', content: texts } });
const agentItem = (s: number, text: string) => ev(s, { type: 'item_completed', item: { type: 'AgentMessage', content: [{ type: 'output_text', text }] } });
const tokens = (s: number, total: unknown) => ev(s, { type: 'token_count', info: { total_token_usage: { total_tokens: total } } });
const ctx = (s: number, model: unknown) => line(T(s), 'turn_context', { model, cwd: '/w' });

function sum(lines: string[], opts: { name?: string; trailingNewline?: boolean; withText?: boolean; archived?: boolean } = {}) {
  const text = lines.join('\n') + (opts.trailingNewline === false ? '' : '\n');
  return summarizeRolloutBuffer(Buffer.from(text, 'utf8'), `/h/sessions/2025/11/12/${opts.name ?? NAME}`, opts.archived ?? false, MTIME, { withText: opts.withText ?? false });
}

describe('summarizeRolloutBuffer', () => {
  test('every field from its line; archived and path as given; no visibleTexts unless asked', () => {
    const s = sum([meta({ forked_from_id: FORK_SOURCE }), ctx(1, 'first-model'), ev(2, { type: 'task_started' }), ev(3, { type: 'user_message', message: 'hello' }), tokens(4, 10), ctx(5, 'last-model'), tokens(6, 25)], { archived: true });
    expect(s).toEqual({
      id: ID,
      rolloutPath: `/h/sessions/2025/11/12/${NAME}`,
      archived: true,
      createdAtMs: Date.parse(T(0)),
      updatedAtMs: MTIME,
      recencyAtMs: Date.parse(T(2)),
      source: 'cli',
      spawn: null,
      modelProvider: 'prov',
      model: 'last-model',
      cwd: '/w',
      cliVersion: '0.169.0',
      originator: 'orig',
      preview: 'hello',
      tokensUsed: 25,
      forkedFromId: FORK_SOURCE,
      lineCount: 7,
    });
    expect(s).not.toHaveProperty('visibleTexts');
  });

  test('defaults when the meta lacks fields: source vscode, empty strings, null provider/model, 0 tokens, creation as recency', () => {
    const s = sum([line(T(0), 'session_meta', { id: ID, cwd: 5, originator: null, cli_version: 1, model_provider: 2 })]);
    expect(s).toMatchObject({
      id: ID,
      createdAtMs: NAME_MS,
      recencyAtMs: NAME_MS,
      source: 'vscode',
      modelProvider: null,
      model: null,
      cwd: '',
      cliVersion: '',
      originator: '',
      preview: '',
      tokensUsed: 0,
      forkedFromId: null,
      lineCount: 1,
    });
  });

  test('a spawned sub-agent source gives its spawn origin', () => {
    const source = { subagent: { thread_spawn: { parent_thread_id: FORK_SOURCE, depth: 1 } } };
    expect(sum([meta({ source })])?.spawn).toEqual({ parentThreadId: FORK_SOURCE, depth: 1, agentPath: null, agentNickname: null, agentRole: null });
    expect(sum([meta({ source })])?.source).toEqual(source);
  });

  test('creation time: meta timestamp, else the file name, else the mtime; id from the name when the meta has none', () => {
    expect(sum([meta({ timestamp: 'garbage' })])?.createdAtMs).toBe(NAME_MS);
    expect(sum([meta({ timestamp: '' })])?.createdAtMs).toBe(NAME_MS);
    expect(sum([meta({ timestamp: 12 })])?.createdAtMs).toBe(NAME_MS);
    expect(sum([meta({ timestamp: 'garbage' })], { name: `rollout-x-${ID}.jsonl` })?.createdAtMs).toBe(MTIME);
    const noMeta = sum([ev(1, { type: 'user_message', message: 'hi' })]);
    expect(noMeta).toMatchObject({ id: ID, createdAtMs: NAME_MS, source: 'vscode', preview: 'hi', lineCount: 1, cwd: '' });
    expect(sum([ev(1, { type: 'user_message', message: 'hi' })], { name: 'rollout-x.jsonl' })).toBeNull();
    expect(sum([meta({ id: 7 })], { name: 'rollout-x.jsonl' })).toBeNull();
    expect(sum([meta({ id: 7 })])?.id).toBe(ID);
  });

  test('the first session_meta wins over later ones', () => {
    const s = sum([meta({ cwd: '/first' }), meta({ id: FORK_SOURCE, cwd: '/second' })]);
    expect(s).toMatchObject({ id: ID, cwd: '/first', lineCount: 2 });
  });

  test('empty input, blank lines and lines without a type are no summary', () => {
    expect(summarizeRolloutBuffer(Buffer.alloc(0), `/h/${NAME}`, false, MTIME)).toBeNull();
    expect(sum(['', '   ', '{"timestamp":"x","no":"type"}'])).toBeNull();
    // Counted lines are those with a type; others are skipped without being parsed.
    expect(sum(['{"timestamp":"x"}', meta(), 'garbage', '{"type":"x"', ev(1, { type: 'noop' })])?.lineCount).toBe(3);
  });

  test('a whole last line without a newline counts, a torn one does not', () => {
    expect(sum([meta(), ev(1, { type: 'user_message', message: 'a' })], { trailingNewline: false })).toMatchObject({ lineCount: 2, preview: 'a' });
    expect(sum([meta(), '{"timestamp":"x","type":"event_msg","payload":{"type":"user_mess'], { trailingNewline: false })).toMatchObject({ lineCount: 1, preview: '' });
    expect(sum([meta(), '{"timestamp":"x","type":"event_msg"'], { trailingNewline: false })?.lineCount).toBe(1);
  });

  test('a "type" key is looked for on its own line only', () => {
    // The first line has no type of its own; the second line's must not be taken for it.
    const s = sum(['{"timestamp":"x","payload":{}}', meta()]);
    expect(s?.lineCount).toBe(1);
    // A type value whose closing quote is on the next line is no type.
    expect(sum([meta(), '{"type":"event_msg', '"}'])?.lineCount).toBe(1);
    // An event kind must be on the event's own line: a token_count on the next line is not this line's event.
    const t = sum([meta(), '{"timestamp":"x","type":"event_msg","payload":{}}', tokens(3, 9)]);
    expect(t).toMatchObject({ tokensUsed: 9, lineCount: 3 });
    const u = sum([meta(), '{"timestamp":"x","type":"event_msg","payload":{}}', '{"timestamp":"y","type":"turn_context","payload":{"model":"m"}}']);
    expect(u).toMatchObject({ model: 'm', tokensUsed: 0, lineCount: 3 });
  });

  test('recency: the last task_started, else the first user message; creation when neither', () => {
    expect(sum([meta(), ev(1, { type: 'user_message', message: 'a' }), ev(2, { type: 'user_message', message: 'b' })])).toMatchObject({ recencyAtMs: Date.parse(T(1)), preview: 'a' });
    expect(sum([meta(), ev(1, { type: 'task_started' }), ev(2, { type: 'user_message', message: 'b' }), ev(3, { type: 'task_started' })])?.recencyAtMs).toBe(Date.parse(T(3)));
    expect(sum([meta(), ev(1, { type: 'user_message', message: 'a' }), ev(2, { type: 'task_started' }), ev(3, { type: 'user_message', message: 'c' })])?.recencyAtMs).toBe(Date.parse(T(2)));
    expect(sum([meta(), ev(1, { type: 'agent_message', message: 'x' })])?.recencyAtMs).toBe(Date.parse(T(0)));
    // A turn start whose timestamp is not first on the line, or not a date, gives no time.
    const late = JSON.stringify({ type: 'event_msg', timestamp: T(9), payload: { type: 'task_started' } });
    expect(sum([meta(), late])?.recencyAtMs).toBe(Date.parse(T(0)));
    expect(sum([meta(), line('not a date', 'event_msg', { type: 'task_started' })])?.recencyAtMs).toBe(Date.parse(T(0)));
  });

  test('preview: the first user message, from an event or a UserMessage item; other items do not count', () => {
    expect(sum([meta(), userItem(1, [{ type: 'text', text: 'he' }, { type: 'image', text: 'IGNORED' }, 'x', { type: 'text', text: 'llo' }]), ev(2, { type: 'user_message', message: 'later' })])?.preview).toBe('hello');
    expect(sum([meta(), ev(1, { type: 'user_message', message: 'first' }), userItem(2, [{ type: 'text', text: 'second' }])])?.preview).toBe('first');
    expect(sum([meta(), agentItem(1, 'answer'), ev(2, { type: 'user_message', message: 'q' })])?.preview).toBe('q');
    // An agent item followed by a line that mentions "UserMessage": the mention is not on the item's line.
    expect(sum([meta(), agentItem(1, 'answer'), ev(2, { type: 'user_message', message: 'the "UserMessage" word' })])?.preview).toBe('the "UserMessage" word');
    // A user item without a content array gives no preview; the next user message does.
    expect(sum([meta(), userItem(1, 'not-an-array'), ev(2, { type: 'user_message', message: 'q2' })])?.preview).toBe('q2');
    expect(sum([meta(), ev(1, { type: 'item_completed', item: 'UserMessage' }), ev(2, { type: 'user_message', message: 'q3' })])?.preview).toBe('q3');
    expect(sum([meta(), ev(1, { type: 'user_message', message: 5 }), ev(2, { type: 'user_message', message: 'q4' })])?.preview).toBe('q4');
    expect(sum([meta(), line(T(1), 'response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'raw' }] })])?.preview).toBe('');
    // An empty text list is an empty preview, which still counts as taken.
    expect(sum([meta(), userItem(1, []), ev(2, { type: 'user_message', message: 'q5' })])?.preview).toBe('');
  });

  test('tokens: the last token_count, 0 without info or a numeric total', () => {
    expect(sum([meta(), tokens(1, 5), tokens(2, 8)])?.tokensUsed).toBe(8);
    expect(sum([meta(), tokens(1, 5), tokens(2, '8')])?.tokensUsed).toBe(0);
    expect(sum([meta(), ev(1, { type: 'token_count', info: null })])?.tokensUsed).toBe(0);
    expect(sum([meta(), ev(1, { type: 'token_count', info: { total_token_usage: 3 } })])?.tokensUsed).toBe(0);
    expect(sum([meta(), line(T(1), 'event_msg', 'no payload')])?.tokensUsed).toBe(0);
  });

  test('model: the last turn_context, null when it names none', () => {
    expect(sum([meta(), ctx(1, 'a'), ctx(2, 'b')])?.model).toBe('b');
    expect(sum([meta(), ctx(1, 'a'), ctx(2, 3)])?.model).toBeNull();
  });

  test('base_instructions: fields before it come from the cut line, a fork id after it from the full line', () => {
    const bi = { text: 'x'.repeat(5000) };
    const s = sum([line(T(0), 'session_meta', { id: ID, timestamp: T(0), cwd: '/cut', base_instructions: bi, model_provider: 'after' })]);
    expect(s).toMatchObject({ id: ID, cwd: '/cut', modelProvider: null });
    const fork = sum([line(T(0), 'session_meta', { id: ID, cwd: '/f', base_instructions: bi, forked_from_id: FORK_SOURCE })]);
    expect(fork).toMatchObject({ cwd: '/f', forkedFromId: FORK_SOURCE });
    // The cut must be on the meta line: a later line's base_instructions does not cut the meta.
    const later = sum([line(T(0), 'session_meta', { id: ID, cwd: '/m', model_provider: 'p' }), line(T(1), 'turn_context', { model: 'm', base_instructions: 'z' })]);
    expect(later).toMatchObject({ cwd: '/m', modelProvider: 'p', model: 'm' });
    // A fork key on a later line does not force anything, and the cut meta is still read.
    const forkLater = sum([line(T(0), 'session_meta', { id: ID, cwd: '/m2', base_instructions: bi }), line(T(1), 'event_msg', { type: 'x', forked_from_id: 'y' })]);
    expect(forkLater).toMatchObject({ cwd: '/m2', forkedFromId: null });
    // When closing the cut line is not valid JSON, the full line is parsed.
    const odd = '{"timestamp":"t","type":"session_meta","payload":{"id":"' + ID + '","nested":{"cwd":"/n"' + ',"base_instructions":1},"cwd":"/full"}}';
    expect(sum([odd])).toMatchObject({ id: ID, cwd: '/full' });
    // A cut line whose payload is not an object falls back too.
    const notObj = '{"timestamp":"t","type":"session_meta","payload":"s","x":{"a":1,"base_instructions":2}}';
    expect(sum([notObj])).toMatchObject({ id: ID, cwd: '' });
  });

  test('withText collects user and assistant texts once each, in order, and only from message lines', () => {
    const s = sum(
      [
        meta(),
        ev(1, { type: 'user_message', message: 'q' }),
        userItem(2, [{ type: 'text', text: 'q' }]),
        ev(3, { type: 'item_completed', item: { type: 'Reasoning', content: [{ type: 'text', text: 'thinking' }] } }),
        agentItem(4, 'a'),
        ev(5, { type: 'agent_message', message: 'b' }),
        line(T(6), 'response_item', { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'raw' }] }),
        ev(7, { type: 'token_count', message: 'not text' }),
      ],
      { withText: true },
    );
    expect(s?.visibleTexts).toEqual(['q', 'a', 'b']);
    expect(sum([meta()], { withText: true })?.visibleTexts).toEqual([]);
  });
});

describe('summarizeRolloutSync / summarizeRollout', () => {
  test('reads the file with its mtime (floored); missing files and directories are null', async () => {
    const home = tempHomeForTest();
    const dir = path.join(home, 'sessions', '2025', '11', '12');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, NAME);
    writeFileSync(file, `${meta()}\n${ev(1, { type: 'user_message', message: 'hi' })}\n`);
    utimesSync(file, 1_700_000_000.9876, 1_700_000_000.9876);
    const s = summarizeRolloutSync(file, false, { withText: true });
    expect(s).toMatchObject({ id: ID, updatedAtMs: 1_700_000_000_987, preview: 'hi', rolloutPath: file, visibleTexts: ['hi'] });
    expect(await summarizeRollout(file, true)).toMatchObject({ archived: true, updatedAtMs: 1_700_000_000_987 });
    expect(await summarizeRollout(file, false)).not.toHaveProperty('visibleTexts');
    expect(summarizeRolloutSync(path.join(dir, 'missing.jsonl'), false)).toBeNull();
    expect(summarizeRolloutSync(dir, false)).toBeNull();
    const empty = path.join(dir, `rollout-2025-11-12T13-14-16-${FORK_SOURCE}.jsonl`);
    writeFileSync(empty, '');
    expect(await summarizeRollout(empty, false)).toBeNull();
  });
});
