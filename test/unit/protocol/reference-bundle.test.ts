/**
 * Our protocol definitions against the reference 0.169.0 experimental schema bundle: objects built the
 * server's way validate (ajv, draft-07), our field lists equal the bundle's, and our key orders are the
 * SPEC's wire orders.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../../support/paths.js';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import type { z } from 'zod';
import * as protocol from '../../../src/protocol/index.js';
import {
  agentItem,
  completedTurn,
  failedTurn,
  inProgressTurn,
  loadedThread,
  reasoningItem,
  THREAD_ID,
  threadStartResponse,
  tokenUsage,
  TURN_ID,
  turnError,
  userItem,
} from './samples.js';

const SHARED_PROTOCOL = path.join(FIXTURES, 'protocol'); // the checkout's copy of shared/protocol (fixtures/protocol/ORIGIN.md)
const bundle = JSON.parse(readFileSync(path.join(SHARED_PROTOCOL, 'codex_app_server_protocol.v2.experimental.schemas.json'), 'utf8'));
const definitions: Record<string, { properties?: Record<string, unknown>; oneOf?: { title: string; properties: object }[] }> =
  bundle.definitions;
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(bundle, 'bundle');

/** ajv errors of `value` against bundle definition `name` (empty when valid). */
function bundleErrors(name: string, value: unknown): unknown[] {
  const validate = ajv.getSchema(`bundle#/definitions/${name}`);
  if (!validate) throw new Error(`no definition ${name}`);
  return validate(value) ? [] : (validate.errors ?? []);
}

/** Valid against the bundle and round-trips through our zod schema unchanged (no unknown or missing keys). */
function expectWireValid(name: string, schema: z.ZodType, value: unknown): void {
  expect(bundleErrors(name, value)).toEqual([]);
  expect(schema.parse(value)).toEqual(value);
}

function unloadedThread(): protocol.Thread {
  return { ...loadedThread(), environments: null, status: { type: 'notLoaded' }, canAcceptDirectInput: null, preview: 'hello' };
}

const readState: protocol.ReadState = { firstUnread: { type: 'turn', turnId: TURN_ID }, revision: 'b1a3e2c4-0000-4000-8000-000000000000' };

describe('objects the server builds validate against the reference bundle', () => {
  test('the bundle check rejects wrong objects (guards the checks below)', () => {
    const { preview: _preview, ...noPreview } = loadedThread();
    expect(bundleErrors('Thread', noPreview)).not.toEqual([]);
    expect(bundleErrors('Thread', { ...loadedThread(), status: { type: 'running' } })).not.toEqual([]);
    expect(bundleErrors('ThreadItem', { ...userItem(), type: 'userMsg' })).not.toEqual([]);
    expect(bundleErrors('Turn', { ...inProgressTurn(), status: 'done' })).not.toEqual([]);
  });

  test('Thread: loaded, unloaded, active, forked sub-agent', () => {
    expectWireValid('Thread', protocol.ThreadSchema, loadedThread());
    expectWireValid('Thread', protocol.ThreadSchema, unloadedThread());
    expectWireValid('Thread', protocol.ThreadSchema, { ...loadedThread(), status: { type: 'active', activeFlags: [] }, turns: [completedTurn()] });
    expectWireValid('Thread', protocol.ThreadSchema, {
      ...unloadedThread(),
      parentThreadId: 'p',
      source: { subAgent: { thread_spawn: { parent_thread_id: 'p', depth: 1, agent_path: null, agent_nickname: 'n', agent_role: null } } },
    });
  });

  test('ThreadItem: userMessage, agentMessage (running and done), reasoning, with the wire lifecycle stamps', () => {
    for (const item of [userItem(), agentItem(false), agentItem(true), reasoningItem()]) {
      expectWireValid('ThreadItem', protocol.ThreadItemSchema, item);
    }
  });

  test('Turn and TurnError', () => {
    for (const turn of [inProgressTurn(), completedTurn(), failedTurn()]) expectWireValid('Turn', protocol.TurnSchema, turn);
    expectWireValid('TurnError', protocol.TurnErrorSchema, turnError());
    expectWireValid('TurnError', protocol.TurnErrorSchema, { ...turnError(), codexErrorInfo: 'internalServerError' });
    expectWireValid('TurnError', protocol.TurnErrorSchema, {
      ...turnError(),
      codexErrorInfo: { responseStreamDisconnected: { httpStatusCode: null } },
      additionalDetails: 'stream closed before response.completed',
    });
  });

  test('results', () => {
    const start = threadStartResponse();
    expectWireValid('ThreadStartResponse', protocol.ThreadStartResponseSchema, start);
    expectWireValid('ThreadForkResponse', protocol.ThreadForkResponseSchema, { ...start, thread: { ...start.thread, forkedFromId: 'src' } });
    expectWireValid('ThreadResumeResponse', protocol.ThreadResumeResponseSchema, {
      ...start,
      sandbox: { type: 'workspaceWrite', writableRoots: [], networkAccess: false, excludeTmpdirEnvVar: false, excludeSlashTmp: false },
      collaborationMode: { mode: 'default', settings: { model: 'mock-model', reasoning_effort: null, developer_instructions: null } },
      multiAgentMode: 'explicitRequestOnly',
      initialTurnsPage: null,
      turnsBackwardsCursor: JSON.stringify({ requestedThreadId: THREAD_ID, rolloutOrdinal: 1, includeAnchor: true, scope: { kind: 'turns' } }),
      itemsBackwardsCursor: null,
    });
    expectWireValid('ThreadListResponse', protocol.ThreadListResponseSchema, {
      data: [unloadedThread()],
      readStates: { [THREAD_ID]: readState },
      nextCursor: `2026-11-23T23:56:13Z|${THREAD_ID}`,
      backwardsCursor: '2026-11-24T02:31:18.053Z',
    });
    expectWireValid('ThreadReadResponse', protocol.ThreadReadResponseSchema, { thread: unloadedThread(), readState: null });
    expectWireValid('ThreadReadResponse', protocol.ThreadReadResponseSchema, {
      thread: unloadedThread(),
      readState: { firstUnread: null, revision: `initial:${THREAD_ID}` },
    });
    expectWireValid('ThreadUnarchiveResponse', protocol.ThreadUnarchiveResponseSchema, { thread: unloadedThread() });
    expectWireValid('ThreadLoadedListResponse', protocol.ThreadLoadedListResponseSchema, { data: [THREAD_ID], nextCursor: null });
    expectWireValid('ThreadUnsubscribeResponse', protocol.ThreadUnsubscribeResponseSchema, { status: 'unsubscribed' });
    expectWireValid('TurnStartResponse', protocol.TurnStartResponseSchema, { turn: inProgressTurn() });
    for (const name of ['ThreadArchiveResponse', 'ThreadSetNameResponse', 'TurnInterruptResponse']) expect(bundleErrors(name, {})).toEqual([]);
  });

  test('model/list result from the bundled catalogue', () => {
    const catalogue = JSON.parse(readFileSync(path.join(SHARED_PROTOCOL, 'model-list.json'), 'utf8'));
    for (const page of [catalogue.default, catalogue.includeHidden]) expectWireValid('ModelListResponse', protocol.ModelListResponseSchema, page);
  });

  test('notifications', () => {
    const ids = { threadId: THREAD_ID, turnId: TURN_ID };
    const cases: [string, keyof typeof protocol.SERVER_NOTIFICATIONS, unknown][] = [
      ['ThreadStartedNotification', 'thread/started', { thread: loadedThread() }],
      ['ThreadStatusChangedNotification', 'thread/status/changed', { threadId: THREAD_ID, status: { type: 'active', activeFlags: [] } }],
      ['TurnStartedNotification', 'turn/started', { threadId: THREAD_ID, turn: { ...inProgressTurn(), startedAt: 1795487495 } }],
      ['ItemStartedNotification', 'item/started', { item: { ...userItem(), completedAtMs: null }, ...ids, startedAtMs: 1795487495175 }],
      ['ItemCompletedNotification', 'item/completed', { item: agentItem(), ...ids, contentTokenCount: null, completedAtMs: 1795487495192 }],
      ['AgentMessageDeltaNotification', 'item/agentMessage/delta', { ...ids, itemId: 'msg_mock_1', delta: 'Do' }],
      ['ReasoningSummaryTextDeltaNotification', 'item/reasoning/summaryTextDelta', { ...ids, itemId: 'rs_1', delta: 'T', summaryIndex: 0 }],
      ['ReasoningSummaryPartAddedNotification', 'item/reasoning/summaryPartAdded', { ...ids, itemId: 'rs_1', summaryIndex: 1 }],
      ['ReasoningTextDeltaNotification', 'item/reasoning/textDelta', { ...ids, itemId: 'rs_1', delta: 'x', contentIndex: 0 }],
      ['ThreadTokenUsageUpdatedNotification', 'thread/tokenUsage/updated', { ...ids, tokenUsage: tokenUsage() }],
      ['TurnCompletedNotification', 'turn/completed', { threadId: THREAD_ID, turn: { ...completedTurn(), items: [agentItem()], itemsView: 'summary' } }],
      ['ErrorNotification', 'error', { error: turnError(), willRetry: false, ...ids }],
      ['WarningNotification', 'warning', { threadId: THREAD_ID, message: 'Model metadata for `mock-model` not found.' }],
      ['DeprecationNoticeNotification', 'deprecationNotice', { summary: 'Full-history hydration is deprecated', details: null }],
      ['ConfigWarningNotification', 'configWarning', { summary: 'sandbox', details: null }],
      ['ThreadArchivedNotification', 'thread/archived', { threadId: THREAD_ID }],
      ['ThreadUnarchivedNotification', 'thread/unarchived', { threadId: THREAD_ID }],
      ['ThreadClosedNotification', 'thread/closed', { threadId: THREAD_ID }],
      ['ThreadGoalClearedNotification', 'thread/goal/cleared', { threadId: THREAD_ID }],
      ['ThreadNameUpdatedNotification', 'thread/name/updated', { threadId: THREAD_ID, threadName: 'My thread' }],
      [
        'AccountRateLimitsUpdatedNotification',
        'account/rateLimits/updated',
        {
          rateLimits: {
            limitId: 'codex',
            limitName: null,
            normalModelSlug: null,
            primary: null,
            secondary: null,
            credits: null,
            individualLimit: null,
            spendControlReached: null,
            planType: null,
            rateLimitReachedType: null,
          },
        },
      ],
      [
        'RemoteControlStatusChangedNotification',
        'remoteControl/status/changed',
        { status: 'disabled', serverName: 'host', installationId: 'b1a3e2c4-0000-4000-8000-000000000000', environmentId: null },
      ],
    ];
    expect(new Set(cases.map((c) => c[1]))).toEqual(new Set(Object.keys(protocol.SERVER_NOTIFICATIONS)));
    for (const [name, method, params] of cases) expectWireValid(name, protocol.SERVER_NOTIFICATIONS[method], params);
  });
});

/** Property names of an object schema (zod) or of a bundle object definition. */
const ourKeys = (schema: z.ZodType): string[] => Object.keys((schema as unknown as z.ZodObject).shape).sort();
const bundleKeys = (name: string): string[] => Object.keys(definitions[name]?.properties ?? {}).sort();

describe('field lists equal the bundle', () => {
  test('request params', () => {
    const pairs: [string, z.ZodType][] = [
      ['InitializeParams', protocol.InitializeParamsSchema],
      ['ClientInfo', protocol.ClientInfoSchema],
      ['InitializeCapabilities', protocol.InitializeCapabilitiesSchema],
      ['ThreadStartParams', protocol.ThreadStartParamsSchema],
      ['ThreadResumeParams', protocol.ThreadResumeParamsSchema],
      ['ThreadForkParams', protocol.ThreadForkParamsSchema],
      ['ThreadArchiveParams', protocol.ThreadArchiveParamsSchema],
      ['ThreadUnarchiveParams', protocol.ThreadUnarchiveParamsSchema],
      ['ThreadListParams', protocol.ThreadListParamsSchema],
      ['ThreadReadParams', protocol.ThreadReadParamsSchema],
      ['ThreadLoadedListParams', protocol.ThreadLoadedListParamsSchema],
      ['ThreadUnsubscribeParams', protocol.ThreadUnsubscribeParamsSchema],
      ['ThreadSetNameParams', protocol.ThreadNameSetParamsSchema],
      ['TurnStartParams', protocol.TurnStartParamsSchema],
      ['TurnInterruptParams', protocol.TurnInterruptParamsSchema],
      ['ModelListParams', protocol.ModelListParamsSchema],
    ];
    for (const [name, schema] of pairs) expect([name, ourKeys(schema)]).toEqual([name, bundleKeys(name)]);
  });

  test('emitted objects, results and notifications', () => {
    const pairs: [string, z.ZodType][] = [
      ['Thread', protocol.ThreadSchema],
      ['Turn', protocol.TurnSchema],
      ['TurnError', protocol.TurnErrorSchema],
      ['TokenUsageBreakdown', protocol.TokenUsageBreakdownSchema],
      ['ThreadTokenUsage', protocol.ThreadTokenUsageSchema],
      ['ThreadReadState', protocol.ReadStateSchema],
      ['ThreadEnvironment', protocol.ThreadEnvironmentSchema],
      ['Model', protocol.ModelSchema],
      ['ThreadStartResponse', protocol.ThreadStartResponseSchema],
      ['ThreadForkResponse', protocol.ThreadForkResponseSchema],
      ['ThreadResumeResponse', protocol.ThreadResumeResponseSchema],
      ['ThreadListResponse', protocol.ThreadListResponseSchema],
      ['ThreadReadResponse', protocol.ThreadReadResponseSchema],
    ];
    for (const [name, schema] of pairs) expect([name, ourKeys(schema)]).toEqual([name, bundleKeys(name)]);
    for (const [method, schema] of Object.entries(protocol.SERVER_NOTIFICATIONS)) {
      if (method === 'configWarning') continue; // we send only `summary` and `details`
      const name = Object.keys(definitions).find((n) => n.endsWith('Notification') && bundleKeys(n).join() === ourKeys(schema).join());
      expect([method, name]).not.toEqual([method, undefined]);
    }
  });

  test('items: the bundle fields plus the wire lifecycle stamps', () => {
    const variants = definitions['ThreadItem']?.oneOf ?? [];
    const pairs: [string, z.ZodType][] = [
      ['UserMessageThreadItem', protocol.UserMessageItemSchema],
      ['AgentMessageThreadItem', protocol.AgentMessageItemSchema],
      ['ReasoningThreadItem', protocol.ReasoningItemSchema],
    ];
    for (const [title, schema] of pairs) {
      const variant = variants.find((v) => v.title === title);
      const expected = [...Object.keys(variant?.properties ?? {}), 'startedAtMs', 'completedAtMs'].sort();
      expect([title, ourKeys(schema)]).toEqual([title, expected]);
    }
  });
});

describe('key order is the SPEC wire order', () => {
  const order = (schema: z.ZodType): string[] => Object.keys((schema as unknown as z.ZodObject).shape);

  test('Thread (SPEC §3)', () => {
    expect(order(protocol.ThreadSchema)).toEqual([
      'id', 'environments', 'extra', 'sessionId', 'forkedFromId', 'attachedToThreadId', 'parentThreadId', 'preview',
      'ephemeral', 'section', 'sectionEnteredAt', 'projectId', 'historyMode', 'modelProvider', 'model', 'reasoningEffort',
      'createdAt', 'updatedAt', 'recencyAt', 'status', 'path', 'cwd', 'cliVersion', 'originator', 'source',
      'canAcceptDirectInput', 'threadSource', 'agentNickname', 'agentRole', 'gitInfo', 'name', 'daybreakEnabled', 'turns',
    ]);
  });

  test('Turn, TurnError, items, token usage', () => {
    expect(order(protocol.TurnSchema)).toEqual(['id', 'rootTurnId', 'items', 'itemsView', 'status', 'error', 'startedAt', 'completedAt', 'durationMs']);
    expect(order(protocol.TurnErrorSchema)).toEqual(['message', 'codexErrorInfo', 'additionalDetails', 'misalignment']);
    expect(order(protocol.UserMessageItemSchema)).toEqual(['type', 'id', 'clientId', 'content', 'startedAtMs', 'completedAtMs']);
    expect(order(protocol.AgentMessageItemSchema)).toEqual([
      'type', 'moderation', 'id', 'text', 'phase', 'memoryCitation', 'delivery', 'questions', 'startedAtMs', 'completedAtMs',
    ]);
    expect(order(protocol.ReasoningItemSchema)).toEqual(['type', 'id', 'summary', 'content', 'startedAtMs', 'completedAtMs']);
    expect(order(protocol.TokenUsageBreakdownSchema)).toEqual([
      'totalTokens', 'inputTokens', 'cachedInputTokens', 'cacheWriteInputTokens', 'outputTokens', 'reasoningOutputTokens',
    ]);
    expect(order(protocol.ThreadTokenUsageSchema)).toEqual(['total', 'last', 'modelContextWindow']);
  });

  test('results and notifications (SPEC §4)', () => {
    expect(order(protocol.ThreadStartResponseSchema)).toEqual([
      'thread', 'model', 'modelProvider', 'serviceTier', 'disabledPluginIds', 'cwd', 'runtimeWorkspaceRoots', 'instructionSources',
      'approvalPolicy', 'approvalsReviewer', 'sandbox', 'activePermissionProfile', 'reasoningEffort', 'multiAgentMode',
    ]);
    expect(order(protocol.ThreadResumeResponseSchema).slice(12)).toEqual([
      'reasoningEffort', 'collaborationMode', 'multiAgentMode', 'initialTurnsPage', 'turnsBackwardsCursor', 'itemsBackwardsCursor',
    ]);
    expect(order(protocol.ThreadListResponseSchema)).toEqual(['data', 'readStates', 'nextCursor', 'backwardsCursor']);
    expect(order(protocol.ItemStartedNotificationSchema)).toEqual(['item', 'threadId', 'turnId', 'startedAtMs']);
    expect(order(protocol.ItemCompletedNotificationSchema)).toEqual(['item', 'threadId', 'turnId', 'contentTokenCount', 'completedAtMs']);
    expect(order(protocol.AgentMessageDeltaNotificationSchema)).toEqual(['threadId', 'turnId', 'itemId', 'delta']);
    expect(order(protocol.ErrorNotificationSchema)).toEqual(['error', 'willRetry', 'threadId', 'turnId']);
    expect(order(protocol.WarningNotificationSchema)).toEqual(['threadId', 'message']);
    expect(order(protocol.ThreadTokenUsageUpdatedNotificationSchema)).toEqual(['threadId', 'turnId', 'tokenUsage']);
    expect(order(protocol.RemoteControlStatusChangedNotificationSchema)).toEqual(['status', 'serverName', 'installationId', 'environmentId']);
  });
});
