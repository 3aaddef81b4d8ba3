/**
 * The small pure modules of src/rollout (mutation testing, issue 17): list filters and cursor comparison,
 * source kinds and spawn origins, visible message texts, file names and home paths, the file-only index row.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ThreadStoreError } from '../../../src/rollout/errors.js';
import { FILE_ROW_APPROVAL_MODE, READ_ONLY_SANDBOX_POLICY_JSON, rowFromSummary, sandboxPolicyJson } from '../../../src/rollout/file-row.js';
import {
  ARCHIVED_SESSIONS_DIR,
  HomeLayout,
  parseRolloutFileName,
  rolloutFileName,
  SESSION_INDEX_FILE,
  SESSIONS_DIR,
  WRITER_LOCKS_DIR,
} from '../../../src/rollout/layout.js';
import { comparePosition, matchesListFilters, sortKeyMs } from '../../../src/rollout/list-filter.js';
import { expandSourceKinds, INTERACTIVE_SOURCE_KINDS, matchesSourceKinds, sourceKindOf, spawnOriginOf } from '../../../src/rollout/source-kind.js';
import type { IndexListQuery } from '../../../src/rollout/thread-index.js';
import type { RolloutSummary } from '../../../src/rollout/types.js';
import { VISIBLE_TEXT_EVENTS, VisibleTexts, visibleTextOfLine, visibleTextsOf } from '../../../src/rollout/visible-text.js';

const ID = '01900000-0000-7000-8000-000000000001';

function summary(over: Partial<RolloutSummary> = {}): RolloutSummary {
  return {
    id: ID,
    rolloutPath: '/h/sessions/x.jsonl',
    archived: false,
    createdAtMs: 1000,
    updatedAtMs: 3000,
    recencyAtMs: 2000,
    source: 'vscode',
    spawn: null,
    modelProvider: 'openai',
    model: 'gpt',
    cwd: '/work',
    cliVersion: '0.169.0',
    originator: 'o',
    preview: 'fix the bug',
    tokensUsed: 7,
    forkedFromId: null,
    lineCount: 3,
    ...over,
  };
}

const query = (over: Partial<IndexListQuery> = {}): IndexListQuery => ({
  archived: false,
  sortKey: 'created_at',
  sortDirection: 'desc',
  after: null,
  limit: 10,
  sourceKinds: [],
  modelProviders: null,
  cwds: null,
  searchTerm: null,
  requirePreview: false,
  ...over,
});

describe('matchesListFilters', () => {
  test('each filter on its own', () => {
    expect(matchesListFilters(summary(), query())).toBe(true);
    expect(matchesListFilters(summary({ preview: '' }), query({ requirePreview: true }))).toBe(false);
    expect(matchesListFilters(summary({ preview: '' }), query({ requirePreview: false }))).toBe(true);
    expect(matchesListFilters(summary(), query({ requirePreview: true }))).toBe(true);
    expect(matchesListFilters(summary({ source: 'exec' }), query())).toBe(false);
    expect(matchesListFilters(summary({ source: 'exec' }), query({ sourceKinds: ['exec'] }))).toBe(true);
    expect(matchesListFilters(summary(), query({ modelProviders: ['openai'] }))).toBe(true);
    expect(matchesListFilters(summary(), query({ modelProviders: ['other'] }))).toBe(false);
    expect(matchesListFilters(summary(), query({ modelProviders: [] }))).toBe(true);
    expect(matchesListFilters(summary({ modelProvider: null }), query({ modelProviders: [''] }))).toBe(true);
    expect(matchesListFilters(summary({ modelProvider: null }), query({ modelProviders: ['openai'] }))).toBe(false);
    expect(matchesListFilters(summary(), query({ cwds: ['/work'] }))).toBe(true);
    expect(matchesListFilters(summary(), query({ cwds: ['/other', '/w'] }))).toBe(false);
    expect(matchesListFilters(summary(), query({ cwds: [] }))).toBe(true);
    expect(matchesListFilters(summary(), query({ searchTerm: 'the' }))).toBe(true);
    expect(matchesListFilters(summary(), query({ searchTerm: 'The' }))).toBe(false);
    expect(matchesListFilters(summary(), query({ searchTerm: '' }))).toBe(true);
  });
});

describe('sortKeyMs and comparePosition', () => {
  test('the sort key picks the field', () => {
    const s = summary();
    expect(sortKeyMs(s, 'created_at')).toBe(1000);
    expect(sortKeyMs(s, 'updated_at')).toBe(3000);
    expect(sortKeyMs(s, 'recency_at')).toBe(2000);
  });

  test('key first, then id, in the direction asked', () => {
    expect(comparePosition({ keyMs: 1, id: 'b' }, { keyMs: 5, id: 'a' }, 'asc')).toBe(-4);
    expect(comparePosition({ keyMs: 1, id: 'b' }, { keyMs: 5, id: 'a' }, 'desc')).toBe(4);
    expect(comparePosition({ keyMs: 5, id: 'a' }, { keyMs: 5, id: 'b' }, 'asc')).toBe(-1);
    expect(comparePosition({ keyMs: 5, id: 'b' }, { keyMs: 5, id: 'a' }, 'asc')).toBe(1);
    expect(comparePosition({ keyMs: 5, id: 'a' }, { keyMs: 5, id: 'b' }, 'desc')).toBe(1);
    expect(comparePosition({ keyMs: 5, id: 'b' }, { keyMs: 5, id: 'a' }, 'desc')).toBe(-1);
    expect(comparePosition({ keyMs: 5, id: 'a' }, { keyMs: 5, id: 'a' }, 'asc')).toBe(0);
    expect(comparePosition({ keyMs: 5, id: 'a' }, { keyMs: 5, id: 'a' }, 'desc') === 0).toBe(true);
  });
});

describe('source kinds', () => {
  test('sourceKindOf for every stored source shape', () => {
    expect(sourceKindOf('cli')).toBe('cli');
    expect(sourceKindOf('vscode')).toBe('vscode');
    expect(sourceKindOf('exec')).toBe('exec');
    expect(sourceKindOf('mcp')).toBe('appServer');
    expect(sourceKindOf('appServer')).toBe('appServer');
    expect(sourceKindOf('future')).toBe('unknown');
    expect(sourceKindOf({ custom: 'x' })).toBeNull();
    expect(sourceKindOf({ subagent: 'review' })).toBe('subAgentReview');
    expect(sourceKindOf({ subAgent: 'review' })).toBe('subAgentReview');
    expect(sourceKindOf({ subagent: 'compact' })).toBe('subAgentCompact');
    expect(sourceKindOf({ subAgent: { thread_spawn: {} } })).toBe('subAgentThreadSpawn');
    expect(sourceKindOf({ subagent: { other: 'g' } })).toBe('subAgentOther');
    expect(sourceKindOf({ subagent: 'memory_consolidation' })).toBe('subAgent');
    expect(sourceKindOf({ subagent: { something: 1 } })).toBe('subAgent');
    expect(sourceKindOf({ subagent: null })).toBeNull();
    expect(sourceKindOf({ subagent: false })).toBe('subAgent');
  });

  test('expandSourceKinds: empty means interactive, subAgent adds the specific kinds, no duplicates', () => {
    expect(INTERACTIVE_SOURCE_KINDS).toEqual(['cli', 'vscode']);
    expect(expandSourceKinds([])).toEqual(['cli', 'vscode']);
    expect(expandSourceKinds(['exec'])).toEqual(['exec']);
    expect(expandSourceKinds(['subAgent', 'subAgentReview'])).toEqual(['subAgent', 'subAgentReview', 'subAgentCompact', 'subAgentThreadSpawn', 'subAgentOther']);
    expect(matchesSourceKinds('cli', [])).toBe(true);
    expect(matchesSourceKinds('exec', [])).toBe(false);
    expect(matchesSourceKinds({ subagent: 'review' }, ['subAgent'])).toBe(true);
    expect(matchesSourceKinds({ subagent: 'review' }, ['subAgentCompact'])).toBe(false);
    expect(matchesSourceKinds({ custom: 'x' }, ['unknown', 'cli', 'subAgent'])).toBe(false);
  });

  test('spawnOriginOf reads the thread_spawn fields, null or typed defaults otherwise', () => {
    const parent = '01900000-0000-7000-8000-0000000000aa';
    expect(spawnOriginOf('cli')).toBeNull();
    expect(spawnOriginOf({ subagent: 'review' })).toBeNull();
    expect(spawnOriginOf({ subagent: { thread_spawn: 'x' } })).toBeNull();
    expect(spawnOriginOf({ subagent: { thread_spawn: { parent_thread_id: 5 } } })).toBeNull();
    expect(spawnOriginOf({ subagent: { thread_spawn: { parent_thread_id: parent } } })).toEqual({
      parentThreadId: parent,
      depth: null,
      agentPath: null,
      agentNickname: null,
      agentRole: null,
    });
    expect(
      spawnOriginOf({ subAgent: { thread_spawn: { parent_thread_id: parent, depth: 2, agent_path: 'a/b', agent_nickname: 'nick', agent_role: 'role' } } }),
    ).toEqual({ parentThreadId: parent, depth: 2, agentPath: 'a/b', agentNickname: 'nick', agentRole: 'role' });
    expect(
      spawnOriginOf({ subagent: { thread_spawn: { parent_thread_id: parent, depth: '2', agent_path: 1, agent_nickname: {}, agent_role: [] } } }),
    ).toEqual({ parentThreadId: parent, depth: null, agentPath: null, agentNickname: null, agentRole: null });
  });
});

describe('visible texts', () => {
  test('user and agent messages, item_completed user and agent items; nothing else', () => {
    expect([...VISIBLE_TEXT_EVENTS].sort()).toEqual(['agent_message', 'item_completed', 'user_message']);
    expect(visibleTextOfLine('event_msg', { type: 'user_message', message: 'hi' })).toBe('hi');
    expect(visibleTextOfLine('event_msg', { type: 'agent_message', message: 'yo' })).toBe('yo');
    expect(visibleTextOfLine('event_msg', { type: 'user_message', message: '' })).toBeNull();
    expect(visibleTextOfLine('event_msg', { type: 'user_message', message: 3 })).toBeNull();
    expect(visibleTextOfLine('response_item', { type: 'user_message', message: 'hi' })).toBeNull();
    expect(visibleTextOfLine('event_msg', 'user_message')).toBeNull();
    expect(visibleTextOfLine('event_msg', { type: 'token_count', message: 'hi' })).toBeNull();
    const item = (type: string, content: unknown) => ({ type: 'item_completed', item: { type, content } });
    expect(visibleTextOfLine('event_msg', item('UserMessage', [{ type: 'text', text: 'a' }, { text: 'b' }, 'c', { text: 1 }]))).toBe('ab');
    expect(visibleTextOfLine('event_msg', item('AgentMessage', [{ type: 'output_text', text: 'done' }]))).toBe('done');
    expect(visibleTextOfLine('event_msg', item('Reasoning', [{ text: 'x' }]))).toBeNull();
    expect(visibleTextOfLine('event_msg', item('UserMessage', []))).toBeNull();
    expect(visibleTextOfLine('event_msg', item('UserMessage', 'text'))).toBeNull();
    expect(visibleTextOfLine('event_msg', { type: 'item_completed', item: 'UserMessage' })).toBeNull();
  });

  test('VisibleTexts and visibleTextsOf keep first-seen order without repeats', () => {
    const texts = new VisibleTexts();
    texts.add(null);
    texts.add('a');
    texts.add('b');
    texts.add('a');
    texts.addLine('event_msg', { type: 'agent_message', message: 'c' });
    texts.addLine('event_msg', { type: 'agent_message', message: 'b' });
    expect(texts.texts).toEqual(['a', 'b', 'c']);
    expect(
      visibleTextsOf([
        { type: 'event_msg', payload: { type: 'user_message', message: 'q' } },
        { type: 'event_msg', payload: { type: 'item_completed', item: { type: 'UserMessage', content: [{ text: 'q' }] } } },
        { type: 'event_msg', payload: { type: 'agent_message', message: 'r' } },
        { type: 'turn_context', payload: { model: 'm' } },
      ]),
    ).toEqual(['q', 'r']);
  });
});

describe('layout', () => {
  test('directory names and home paths', () => {
    expect([SESSIONS_DIR, ARCHIVED_SESSIONS_DIR, WRITER_LOCKS_DIR, SESSION_INDEX_FILE]).toEqual(['sessions', 'archived_sessions', 'thread-writer-locks', 'session_index.jsonl']);
    const layout = new HomeLayout('/h');
    expect(layout.sessionsDir).toBe('/h/sessions');
    expect(layout.archivedDir).toBe('/h/archived_sessions');
    expect(layout.locksDir).toBe('/h/thread-writer-locks');
    expect(layout.sessionIndexPath).toBe('/h/session_index.jsonl');
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    expect(rolloutFileName(at, ID)).toBe(`rollout-2026-01-02T03-04-05-${ID}.jsonl`);
    expect(layout.activeRolloutPath(at, ID)).toBe(`/h/sessions/2026/01/02/rollout-2026-01-02T03-04-05-${ID}.jsonl`);
    expect(layout.writerLockPath(ID)).toBe(`/h/thread-writer-locks/${ID}.lock`);
    expect(() => layout.activeRolloutPath(at, '../x')).toThrow('refusing non-canonical thread id in a path: "../x"');
    expect(() => layout.writerLockPath('ABCDEF00-0000-7000-8000-000000000001')).toThrow(/refusing non-canonical thread id/);
    expect(layout.archivedPathFor('rollout-a.jsonl')).toBe('/h/archived_sessions/rollout-a.jsonl');
    expect(() => layout.archivedPathFor('x/rollout-a.jsonl')).toThrow('not a file name: x/rollout-a.jsonl');
    expect(layout.unarchivedPathFor(`rollout-2025-11-12T13-14-15-${ID}.jsonl`)).toBe(`/h/sessions/2025/11/12/rollout-2025-11-12T13-14-15-${ID}.jsonl`);
    expect(layout.unarchivedPathFor('rollout-a.jsonl')).toBeNull();
  });

  test('contains and isArchivedPath', () => {
    const layout = new HomeLayout('/h');
    expect(layout.contains('/h/sessions/x')).toBe(true);
    expect(layout.contains('/h/x/../y')).toBe(true);
    expect(layout.contains('/h')).toBe(false);
    expect(layout.contains('/h/')).toBe(false);
    expect(layout.contains('/h/..')).toBe(false);
    expect(layout.contains('/hx/y')).toBe(false);
    expect(layout.contains('/h/../h2/y')).toBe(false);
    expect(layout.contains('/other')).toBe(false);
    expect(layout.isArchivedPath('/h/archived_sessions/r.jsonl')).toBe(true);
    expect(layout.isArchivedPath('/h/archived_sessions/sub/r.jsonl')).toBe(false);
    expect(layout.isArchivedPath('/h/sessions/../archived_sessions/r.jsonl')).toBe(true);
    expect(layout.isArchivedPath('/h/sessions/r.jsonl')).toBe(false);
    expect(layout.isArchivedPath(path.join('/h', 'archived_sessions'))).toBe(false);
  });

  test('parseRolloutFileName takes only canonical names', () => {
    expect(parseRolloutFileName(`rollout-2025-11-12T13-14-15-${ID}.jsonl`)).toEqual({
      stamp: '2025-11-12T13-14-15',
      year: '2025',
      month: '11',
      day: '12',
      createdAtMs: Date.UTC(2025, 10, 12, 13, 14, 15),
      threadId: ID,
    });
    expect(parseRolloutFileName(`xrollout-2025-11-12T13-14-15-${ID}.jsonl`)).toBeNull();
    expect(parseRolloutFileName(`rollout-2025-11-12T13-14-15-${ID}.jsonl.bak`)).toBeNull();
    expect(parseRolloutFileName(`rollout-2025-11-12T13-14-15-ABCDEF00-0000-7000-8000-000000000001.jsonl`)).toBeNull();
    expect(parseRolloutFileName(`rollout-2025-11-12 13-14-15-${ID}.jsonl`)).toBeNull();
    expect(parseRolloutFileName(`rollout-25-11-12T13-14-15-${ID}.jsonl`)).toBeNull();
  });
});

describe('file rows and errors', () => {
  test('sandbox policy JSON per mode', () => {
    expect(sandboxPolicyJson('danger-full-access')).toBe('{"type":"disabled"}');
    const entries = (mode: string) => (JSON.parse(sandboxPolicyJson(mode)) as { file_system: { entries: { access: string }[] } }).file_system.entries;
    expect(entries('workspace-write')[0]!.access).toBe('write');
    expect(entries('read-only')[0]!.access).toBe('read');
    expect(JSON.parse(READ_ONLY_SANDBOX_POLICY_JSON)).toEqual({
      type: 'managed',
      file_system: { type: 'restricted', entries: [{ path: { type: 'special', value: { kind: 'root' } }, access: 'read' }] },
      network: 'restricted',
    });
  });

  test('rowFromSummary drops lineCount and forkedFromId; archived rows take their mtime as archived_at', () => {
    const active = rowFromSummary(summary({ forkedFromId: ID }));
    expect(active).not.toHaveProperty('lineCount');
    expect(active).not.toHaveProperty('forkedFromId');
    expect(active).toMatchObject({ id: ID, approvalMode: FILE_ROW_APPROVAL_MODE, sandboxPolicy: READ_ONLY_SANDBOX_POLICY_JSON, name: null, archivedAtMs: null, tokensUsed: 7 });
    expect(FILE_ROW_APPROVAL_MODE).toBe('on-request');
    expect(rowFromSummary(summary({ archived: true })).archivedAtMs).toBe(3000);
  });

  test('ThreadStoreError carries its kind, name and cause', () => {
    const cause = new Error('inner');
    const error = new ThreadStoreError('conflict', 'exists', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ThreadStoreError');
    expect(error.kind).toBe('conflict');
    expect(error.message).toBe('exists');
    expect(error.cause).toBe(cause);
  });
});
