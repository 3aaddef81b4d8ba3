/**
 * `--listen ws://IP:PORT` (issue 16) with real WebSocket clients against the built server: the reference's banner,
 * probes, Origin and token refusals, many clients on one process sharing threads, and SIGTERM draining every
 * connection. Reference facts (codex app-server 0.169.0, measured): see docs/evidence/issue16.md.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { evCreated, evMessageAdded, evOutputTextDelta, sseResponse, WsClient, WsUpgradeRefused, type JsonRpcMessage } from '../../src/testing/index.js';
import { referenceSchemaChecker } from '../support/schema-checker.js';
import { spawnServer, startWsServer, type ListeningServer } from '../support/listening-server.js';
import { setupEnv, type Json } from './helpers.js';

/** Start-up refusals are compared whole: no log lines besides them. */
const QUIET = { LOG_LEVEL: 'warn' };

const text = (s: string) => [{ type: 'text', text: s }];

/** A client whose every received message is checked against the reference schema; closed when the test ends. */
async function client(url: string, headers?: Record<string, string>): Promise<WsClient> {
  const c = await WsClient.connect(url, { headers, messageChecker: await referenceSchemaChecker() });
  onTestFinished(async () => {
    await c.close();
    expect(c.schemaProblems()).toEqual([]);
  });
  return c;
}

async function refusal(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const error = await WsClient.connect(url, { headers }).then(
    (c) => (void c.close(), null),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WsUpgradeRefused);
  return { status: (error as WsUpgradeRefused).status, body: (error as WsUpgradeRefused).body };
}

const httpOf = (server: ListeningServer & { url: string }) => server.url.replace(/^ws:/, 'http:');
const forThread = (threadId: string) => (m: JsonRpcMessage) => 'method' in m && (m.params as Json | undefined)?.['threadId'] === threadId;

describe('ws:// listener', () => {
  test('prints the reference banner and answers /readyz and /healthz; other requests get the reference texts', async () => {
    const { home } = await setupEnv();
    const server = await startWsServer(home);
    const port = /127\.0\.0\.1:(\d+)/.exec(server.url)![1];
    expect(server.stderr()).toContain(
      [
        'codex app-server (WebSockets)',
        `  listening on: ws://127.0.0.1:${port}`,
        `  readyz: http://127.0.0.1:${port}/readyz`,
        `  healthz: http://127.0.0.1:${port}/healthz`,
        '  note: binds localhost only (use SSH port-forwarding for remote access)',
        '',
      ].join('\n'),
    );
    for (const probe of ['/readyz', '/healthz']) {
      const res = await fetch(`${httpOf(server)}${probe}`);
      expect([res.status, await res.text()]).toEqual([200, '']);
    }
    const post = await fetch(`${httpOf(server)}/readyz`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET,HEAD']);
    const plain = await fetch(`${httpOf(server)}/`);
    expect([plain.status, await plain.text()]).toEqual([400, "Connection header did not include 'upgrade'"]);
  });

  test('a request carrying an Origin header is refused with 403, upgrade or probe', async () => {
    const { home } = await setupEnv();
    const server = await startWsServer(home);
    expect(await refusal(server.url, { Origin: 'http://evil.example' })).toEqual({ status: 403, body: '' });
    const probe = await fetch(`${httpOf(server)}/readyz`, { headers: { Origin: 'http://evil.example' } });
    expect(probe.status).toBe(403);
    // The server is unharmed.
    const c = await client(server.url);
    expect((await c.initialize('after_origin')).userAgent).toMatch(/^after_origin\//);
  });

  test('--ws-auth capability-token: no or a wrong bearer token is 401 before any JSON-RPC; the right one connects', async () => {
    const { home } = await setupEnv();
    const tokenFile = path.join(home, 'ws-token');
    writeFileSync(tokenFile, 'correct horse battery staple\n');
    const server = await startWsServer(home, ['--ws-auth', 'capability-token', '--ws-token-file', tokenFile]);
    expect(await refusal(server.url, {})).toEqual({ status: 401, body: 'missing websocket bearer token' });
    expect(await refusal(server.url, { Authorization: 'Bearer correct horse' })).toEqual({ status: 401, body: 'invalid websocket bearer token' });
    expect(await refusal(server.url, { Authorization: 'Basic Y29ycmVjdA==' })).toEqual({ status: 401, body: 'invalid authorization header' });
    // Probes need no token.
    expect((await fetch(`${httpOf(server)}/healthz`)).status).toBe(200);
    const c = await client(server.url, { Authorization: 'Bearer correct horse battery staple' });
    expect((await c.initialize('with_token')).userAgent).toMatch(/^with_token\//);
  });

  test('--ws-token-sha256 accepts the token whose digest it is', async () => {
    const { home } = await setupEnv();
    const digest = 'bd51d4b25e5fdc5c6f4e1bd8bb7f59f7ba6e3b0e4d2b1d2e0cf0a91f6f4f6f8f'; // not the token's
    const { createHash } = await import('node:crypto');
    const good = createHash('sha256').update('s3cret').digest('hex').toUpperCase();
    const server = await startWsServer(home, ['--ws-auth', 'capability-token', '--ws-token-sha256', good]);
    expect(await refusal(server.url, { Authorization: `Bearer ${digest}` })).toEqual({ status: 401, body: 'invalid websocket bearer token' });
    const c = await client(server.url, { Authorization: 'bearer s3cret' });
    await c.initialize('sha_client');
  });

  test.for([
    [['--listen', 'ws://127.0.0.1:0', '--ws-auth', 'capability-token'], 'Error: `--ws-token-file` or `--ws-token-sha256` is required when `--ws-auth capability-token` is set\n'],
    [['--listen', 'ws://127.0.0.1:0', '--ws-auth', 'capability-token', '--ws-token-sha256', 'abc'], 'Error: --ws-token-sha256 must be a 64-character hex SHA-256 digest\n'],
    [['--listen', 'ws://127.0.0.1:0', '--ws-token-file', '/x'], 'Error: websocket auth flags require `--ws-auth capability-token` or `--ws-auth signed-bearer-token`\n'],
    [['--listen', 'ws://0.0.0.0:0'], 'Error: refusing to start non-loopback websocket listener 0.0.0.0:0 without auth; configure `--ws-auth capability-token` or `--ws-auth signed-bearer-token`\n'],
  ] as const)('start-up refusal %j (exit 1, reference text)', async ([args, message]) => {
    const { home } = await setupEnv();
    const server = spawnServer(home, [...args], QUIET);
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toBe(message);
  });

  test('an unreadable or empty token file is a start-up error', async () => {
    const { home } = await setupEnv();
    const missing = path.join(home, 'no-such-token');
    const a = spawnServer(home, ['--listen', 'ws://127.0.0.1:0', '--ws-auth', 'capability-token', '--ws-token-file', missing], QUIET);
    expect(await a.exited).toBe(1);
    expect(a.stderr()).toBe(`Error: failed to read websocket auth secret ${missing}: No such file or directory (os error 2)\n`);
    const empty = path.join(home, 'empty-token');
    writeFileSync(empty, ' \n');
    const b = spawnServer(home, ['--listen', 'ws://127.0.0.1:0', '--ws-auth', 'capability-token', '--ws-token-file', empty], QUIET);
    expect(await b.exited).toBe(1);
    expect(b.stderr()).toBe(`Error: websocket auth secret ${empty} must not be empty\n`);
  });
});

describe('many clients on one ws:// server', () => {
  test('two clients on one thread both see every turn; one leaves, the other goes on and the thread stays loaded', async () => {
    const { home, mock } = await setupEnv();
    const server = await startWsServer(home);
    const alpha = await client(server.url);
    const beta = await client(server.url);
    const bystander = await client(server.url);
    await alpha.initialize('alpha', '1.0');
    await beta.initialize('beta', '2.0');
    await bystander.initialize('bystander');

    const threadId: string = (await alpha.call('thread/start', {})).thread.id;
    const resumed = await beta.call('thread/resume', { threadId, excludeTurns: true });
    expect(resumed.thread.id).toBe(threadId);

    // A turn started by beta streams to both subscribers; the model request names beta (the client that started it).
    const turnId: string = (await beta.call('turn/start', { threadId, input: text('from beta') })).turn.id;
    for (const c of [alpha, beta]) {
      expect((await c.notification('turn/started', (p) => p.turn.id === turnId)).params).toMatchObject({ threadId });
      await c.notification('item/agentMessage/delta', (p) => p.turnId === turnId);
      expect((await c.notification('turn/completed', (p) => p.turn.id === turnId)).params).toMatchObject({ turn: { status: 'completed' } });
    }
    const [first] = mock.responsesRequests();
    expect(first!.headers['user-agent']).toMatch(/^alpha\/0\.169\.0 \(.+\) .+ \(beta; 2\.0\)$/);
    expect(first!.headers['originator']).toBe('alpha');

    // The bystander sees the thread's status changes (as the reference broadcasts them) but none of its turns.
    await bystander.call('thread/loaded/list', {});
    const seen = bystander.received().filter(forThread(threadId)).map((m) => (m as { method: string }).method);
    expect(seen).toContain('thread/status/changed');
    expect(seen.filter((m) => m.startsWith('turn/') || m.startsWith('item/'))).toEqual([]);

    // alpha leaves: beta keeps working, the thread stays loaded while beta is subscribed.
    await alpha.close();
    expect(await beta.call('thread/loaded/list', {})).toEqual({ data: [threadId], nextCursor: null });
    const second: string = (await beta.call('turn/start', { threadId, input: text('alone') })).turn.id;
    expect((await beta.notification('turn/completed', (p) => p.turn.id === second)).params).toMatchObject({ turn: { status: 'completed' } });
    expect(mock.responsesRequests()[1]!.headers['user-agent']).toMatch(/\(beta; 2\.0\)$/);

    // Unsubscribing drops only beta's subscription: later turns reach beta no more, and the thread stays loaded.
    expect(await beta.call('thread/unsubscribe', { threadId })).toEqual({ status: 'unsubscribed' });
    expect(await beta.call('thread/unsubscribe', { threadId })).toEqual({ status: 'notSubscribed' });
    expect(await beta.call('thread/loaded/list', {})).toEqual({ data: [threadId], nextCursor: null });
  });

  test('archive clears subscriptions: after archive, a resumed-and-archived thread sends its former subscriber nothing a bystander does not get (issue 17, finding 4)', async () => {
    const { home } = await setupEnv();
    const server = await startWsServer(home);
    const [owner, other, bystander] = [await client(server.url), await client(server.url), await client(server.url)];
    await owner.initialize('owner');
    await other.initialize('other');
    await bystander.initialize('bystander');
    const threadId: string = (await owner.call('thread/start', {})).thread.id;
    const t1: string = (await owner.call('turn/start', { threadId, input: text('materialize') })).turn.id;
    await owner.notification('turn/completed', (p) => p.turn.id === t1);
    // The other client resumes it too, then archives it: both subscriptions go.
    await other.call('thread/resume', { threadId, excludeTurns: true });
    await other.call('thread/archive', { threadId });
    await owner.notification('thread/archived', (p) => p.threadId === threadId);
    await bystander.notification('thread/archived', (p) => p.threadId === threadId);
    const ownerMark = owner.received().length;
    const bystanderMark = bystander.received().length;

    await other.call('thread/unarchive', { threadId });
    await other.call('thread/resume', { threadId, excludeTurns: true });
    const t2: string = (await other.call('turn/start', { threadId, input: text('after archive') })).turn.id;
    await other.notification('turn/completed', (p) => p.turn.id === t2);
    // A request answered after that turn ends: everything sent to these clients before is in by then.
    await owner.call('thread/loaded/list', {});
    await bystander.call('thread/loaded/list', {});

    const methods = (c: WsClient, mark: number) => c.received().slice(mark).filter(forThread(threadId)).map((m) => (m as { method: string }).method);
    const ownerGot = methods(owner, ownerMark);
    expect(ownerGot).toEqual(methods(bystander, bystanderMark));
    expect(ownerGot).not.toContain('turn/started');
    expect(ownerGot).not.toContain('turn/completed');
    expect(ownerGot.filter((m) => m.startsWith('item/'))).toEqual([]);
    // The owner is still served.
    expect((await owner.call('thread/loaded/list', {})).data).toEqual([threadId]);
  });

  test('50 clients × 10 requests each on one server: every request answered, to its own client', async () => {
    const { home } = await setupEnv();
    const server = await startWsServer(home);
    const clients = await Promise.all(Array.from({ length: 50 }, () => WsClient.connect(server.url)));
    onTestFinished(async () => void (await Promise.all(clients.map((c) => c.close()))));
    await Promise.all(
      clients.map(async (c, i) => {
        await c.initialize(`client_${i}`);
        const ids = Array.from({ length: 10 }, (_, k) => (k % 2 === 0 ? c.request('thread/loaded/list', {}) : c.request('model/list', { limit: 1 })));
        const answers = await Promise.all(ids.map((id) => c.answer(id)));
        expect(answers.map((a) => ('result' in a ? a.id : `error ${a.id}`))).toEqual(ids);
      }),
    );
    const answered = clients.reduce((n, c) => n + c.received().filter((m) => 'result' in m).length, 0);
    expect(answered).toBe(50 * 11);
  });

  test('SIGTERM drains every connection: the running turn ends and is reported, each client gets a 1001 close, exit 0', async () => {
    const { home } = await setupEnv([sseResponse([evCreated(), evMessageAdded('m1'), evOutputTextDelta('m1', 'partial')], { keepOpen: true })]);
    const server = await startWsServer(home);
    const runner = await client(server.url);
    const idle = await client(server.url);
    await runner.initialize('runner');
    await idle.initialize('idle');
    const threadId: string = (await runner.call('thread/start', {})).thread.id;
    const turnId: string = (await runner.call('turn/start', { threadId, input: text('long') })).turn.id;
    await runner.notification('item/agentMessage/delta', (p) => p.turnId === turnId);

    server.child.kill('SIGTERM');
    expect((await runner.notification('turn/completed', (p) => p.turn.id === turnId)).params).toMatchObject({ turn: { status: 'interrupted' } });
    expect(await runner.closed).toBe(1001);
    expect(await idle.closed).toBe(1001);
    expect(await server.exited).toBe(0);
  });
});
