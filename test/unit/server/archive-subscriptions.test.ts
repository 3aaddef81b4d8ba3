/**
 * Archive clears subscriptions (issue 17, finding 4): in ONE server process with two clients, a thread the first
 * client started (and so subscribed to) is archived, unarchived and resumed by the second client; the second
 * client's turn then sends nothing to the first. The seed's two-process version cannot show this: there the
 * clients never share a notifier.
 *
 * The server is assembled as src/main.ts does, with two in-memory connections instead of stdio.
 */
import { PassThrough } from 'node:stream';
import { afterEach, expect, test } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { ConfigService } from '../../../src/config/config-service.js';
import { FileSearchSessions } from '../../../src/discovery/file-search-sessions.js';
import { resolveProvider } from '../../../src/config/provider.js';
import { createResponsesClient } from '../../../src/model/responses-client.js';
import { LocalThreadStore } from '../../../src/rollout/local-thread-store.js';
import { AppServer } from '../../../src/server/app-server.js';
import { Notifier } from '../../../src/server/notifier.js';
import { systemClock } from '../../../src/support/clock.js';
import { systemIds } from '../../../src/support/ids.js';
import { silentLogger } from '../../../src/support/logger.js';
import { createConfigToml, createMockResponsesServerRepeatingAssistant, makeTempHome } from '../../../src/testing/index.js';
import { ThreadManager } from '../../../src/threads/thread-manager.js';
import { NdjsonMessageReader, NdjsonMessageWriter } from '../../../src/transport/index.js';

type Json = Record<string, any>;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** One in-memory client of the server: send lines, wait for messages, see everything received. */
class Client {
  readonly received: Json[] = [];
  private buffered = '';
  private nextId = 1;
  private waiters: (() => void)[] = [];
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();

  constructor() {
    this.stdout.on('data', (chunk: Buffer) => {
      this.buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = this.buffered.indexOf('\n')) !== -1) {
        this.received.push(JSON.parse(this.buffered.slice(0, newline)) as Json);
        this.buffered = this.buffered.slice(newline + 1);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  async request(method: string, params: Json): Promise<Json> {
    const id = this.nextId++;
    this.stdin.write(`${JSON.stringify({ id, method, params })}\n`);
    const answer = await this.waitFor((m) => m['id'] === id && !('method' in m), `the answer to ${method}`);
    if (answer['error']) throw new Error(`${method} failed: ${JSON.stringify(answer['error'])}`);
    return answer['result'] as Json;
  }

  notify(method: string): void {
    this.stdin.write(`${JSON.stringify({ method })}\n`);
  }

  /** Resolves with the first message (received so far or later) matching `predicate`; bounded so a bug cannot hang. */
  async waitFor(predicate: (m: Json) => boolean, what: string): Promise<Json> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = this.received.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${what}; received: ${JSON.stringify(this.received).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100).unref();
      });
    }
  }
}

async function serverWithTwoClients(): Promise<[Client, Client]> {
  const mock = await createMockResponsesServerRepeatingAssistant('Done');
  const home = await makeTempHome('cas-two-clients-');
  cleanups.push(() => home.cleanup(), () => mock.close());
  await createConfigToml(home.path, mock.uri);
  const config = await loadConfig(home.path);
  const log = silentLogger();
  const store = new LocalThreadStore(home.path, null, { clock: systemClock, log });
  const notifier = new Notifier();
  const threads = new ThreadManager({
    store,
    stateDb: null,
    model: createResponsesClient(resolveProvider(config, config.modelProvider), { env: {}, log }),
    clock: systemClock,
    ids: systemIds,
    log,
    sink: notifier,
    defaults: { model: config.model, modelProvider: config.modelProvider, approvalPolicy: config.approvalPolicy, sandboxMode: config.sandboxMode, cwd: home.path, cliVersion: '0.169.0' },
    userAgent: (originator) => `${originator}/0.169.0`,
    installationId: '00000000-0000-4000-8000-000000000000',
    auth: { requiresOpenaiAuth: false, read: async () => null },
  });
  const info = { version: '0.169.0', codexHome: home.path, osDescription: 'test', arch: 'x86_64', terminal: 'unknown', hostname: 'test', platformOs: 'linux', installationId: '00000000-0000-4000-8000-000000000000' };
  const server = new AppServer({ threads, config: new ConfigService({ codexHome: home.path, overrides: [], cwd: home.path }), fileSearch: new FileSearchSessions(), notifier, info, log });
  const clients: [Client, Client] = [new Client(), new Client()];
  const served = clients.map((c) =>
    server.serve(new NdjsonMessageReader(c.stdin, { logger: log }), new NdjsonMessageWriter(c.stdout, { clock: systemClock, logger: log })),
  );
  cleanups.push(async () => {
    for (const c of clients) c.stdin.end();
    await Promise.all(served);
    await server.drain();
    await threads.shutdown();
  });
  for (const [i, c] of clients.entries()) {
    await c.request('initialize', { clientInfo: { name: `client_${i}`, title: null, version: '1' } });
    c.notify('initialized');
  }
  return clients;
}

const text = (t: string) => [{ type: 'text', text: t, text_elements: [] }];

test('after archive, the former subscriber gets nothing from the thread another client resumed', async () => {
  const [first, second] = await serverWithTwoClients();
  const thread = (await first.request('thread/start', { model: 'mock-model' }))['thread'] as Json;
  await first.request('turn/start', { threadId: thread['id'], input: text('materialize') });
  await first.waitFor((m) => m['method'] === 'turn/completed', 'turn/completed for the first client');

  await first.request('thread/archive', { threadId: thread['id'] });
  await first.request('thread/unarchive', { threadId: thread['id'] });
  const resumed = (await second.request('thread/resume', { threadId: thread['id'] }))['thread'] as Json;
  expect(resumed['status']).toEqual({ type: 'idle' });

  const mark = first.received.length;
  await second.request('turn/start', { threadId: thread['id'], input: text('second client turn') });
  await second.waitFor((m) => m['method'] === 'turn/completed', 'turn/completed for the second client');
  // A round trip on the first connection: whatever the server sent it before this answer has arrived.
  await first.request('thread/loaded/list', {});

  // Reference behaviour (0.169.0, measured with a bystander client): `thread/started` and `thread/status/changed`
  // reach every initialized client, subscribed or not; everything else of the thread only its subscribers.
  const threadScoped = first.received
    .slice(mark)
    .filter((m) => typeof m['method'] === 'string' && !('id' in m))
    .map((m) => m['method'] as string)
    .filter((method) => method !== 'thread/status/changed' && method !== 'thread/started');
  expect(threadScoped).toEqual([]);
  // The second client did get the turn (so the first one's silence is not the turn's).
  expect(second.received.filter((m) => m['method'] === 'turn/started')).toHaveLength(1);
});

test('control: without the archive, the first subscriber still hears the thread', async () => {
  const [first, second] = await serverWithTwoClients();
  const thread = (await first.request('thread/start', { model: 'mock-model' }))['thread'] as Json;
  await first.request('turn/start', { threadId: thread['id'], input: text('materialize') });
  await first.waitFor((m) => m['method'] === 'turn/completed', 'turn/completed for the first client');
  await second.request('thread/resume', { threadId: thread['id'] });
  const mark = first.received.length;
  await second.request('turn/start', { threadId: thread['id'], input: text('second client turn') });
  await second.waitFor((m) => m['method'] === 'turn/completed', 'turn/completed for the second client');
  await first.request('thread/loaded/list', {});
  expect(first.received.slice(mark).map((m) => m['method'])).toContain('turn/started');
});
