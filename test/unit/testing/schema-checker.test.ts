/**
 * The harness's schema check sees every message: responses to the typed `send*Request` helpers (which once
 * bypassed the method bookkeeping), responses to raw lines, notifications and server→client requests.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, onTestFinished, test } from 'vitest';
import { McpProcess } from '../../../src/testing/index.js';
import { referenceSchemaChecker } from '../../support/schema-checker.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cas-fake-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in server answering each request with the canned reply for its method. */
function fakeServer(replies: Record<string, unknown>, extra: unknown[] = []): string {
  const file = path.join(dir, `fake-${Object.keys(replies).join('-').replace(/\//g, '_')}-${extra.length}.mjs`);
  writeFileSync(
    file,
    `import readline from 'node:readline';
const replies = ${JSON.stringify(replies)};
const extra = ${JSON.stringify(extra)};
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const m = JSON.parse(line);
  if (m.id === undefined) return;
  process.stdout.write(JSON.stringify({ id: m.id, result: replies[m.method] }) + '\\n');
  for (const e of extra) process.stdout.write(JSON.stringify(e) + '\\n');
});
`,
  );
  return file;
}

async function start(serverBin: string): Promise<McpProcess> {
  const home = mkdtempSync(path.join(dir, 'home-'));
  const mcp = await McpProcess.start({ codexHome: home, serverBin, messageChecker: await referenceSchemaChecker() });
  onTestFinished(() => void mcp.close());
  return mcp;
}

test('a wrong result to a typed send*Request helper is reported with its method', async () => {
  const mcp = await start(fakeServer({ 'turn/start': { turn: 'not an object' } }));
  const id = await mcp.sendTurnStartRequest({ threadId: 't', input: [] });
  await mcp.readStreamUntilResponseMessage(id);
  expect(mcp.schemaProblems().length).toBeGreaterThan(0);
  expect(mcp.schemaProblems().every((p) => p.startsWith('response to turn/start: '))).toBe(true);
});

test('a right result raises nothing; a raw request line is matched to its method too', async () => {
  const mcp = await start(fakeServer({ 'model/list': { data: [], nextCursor: null } }));
  await mcp.readStreamUntilResponseMessage(await mcp.sendModelListRequest({}));
  await mcp.sendRaw('{"id":"raw-1","method":"model/list","params":{}}\n');
  await mcp.readStreamUntilResponseMessage('raw-1');
  expect(mcp.schemaProblems()).toEqual([]);
});

test('notifications and server requests are checked as they arrive', async () => {
  const mcp = await start(
    fakeServer({ 'model/list': { data: [], nextCursor: null } }, [
      { method: 'thread/archived', params: { threadId: 'x' } },
      { method: 'thread/archived', params: {}, emittedAtMs: 1 },
      { method: 'made/up', params: {}, emittedAtMs: 1 },
      { id: 7, method: 'made/up/request', params: {} },
    ]),
  );
  await mcp.sendModelListRequest({});
  await mcp.readStreamUntilRequestMessage();
  expect(mcp.schemaProblems().map((p) => p.replace(/ \(in .*\)$/, '').replace(/:.*/, ''))).toEqual([
    'notification thread/archived lacks emittedAtMs',
    'notification thread/archived',
    'notification made/up is not in the reference protocol',
    'server request made/up/request has no MadeUpRequestParams schema in the reference bundle',
  ]);
});

test('a response to an id never sent is a problem (nothing goes unchecked)', async () => {
  const mcp = await start(fakeServer({ 'model/list': { data: [], nextCursor: null } }, [{ id: 999, result: {} }]));
  await mcp.sendModelListRequest({});
  await mcp.readStreamUntilResponseMessage(999);
  expect(mcp.schemaProblems()).toEqual([expect.stringMatching(/^response to unknown request 999/)]);
});
