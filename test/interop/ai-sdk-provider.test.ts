/**
 * A real editor-style client: `ai-sdk-provider-codex-cli` (the Vercel AI SDK provider for `codex app-server`)
 * with `codexPath` pointed at a wrapper that runs our server. It spawns `<codexPath> app-server --listen stdio://`,
 * sends `initialize` (experimentalApi: true), checks the version in `userAgent` (>= 0.153.0), then drives
 * `thread/start` (ephemeral in its default stateless mode) or `thread/resume`, `turn/start`, `turn/interrupt`,
 * and reads `item/agentMessage/delta`, `item/started`, `item/completed`, `thread/tokenUsage/updated` and
 * `turn/completed` (each validated by its own zod schemas; a notification that fails them is dropped with a warning).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { MockResponsesServer } from '../../src/testing/index.js';
import { unavailable } from '../support/unprivileged.js';
import { createInteropMock, HANG_MARKER, lastUserText } from './mock-model.js';
import { startSide, turnTexts, writeSharedConfig, type Json } from './servers.js';
import {
  importInstalled,
  INSTALL_HOOK_TIMEOUT_MS,
  devTool,
  makeInteropHome,
  ourServerMissing,
  REPO_ROOT,
  TOOLS_DIR,
  writeServerWrapper,
  type ToolInstall,
} from './tools.js';

// Pinned devDependencies (package.json); the provider's optional 320 MB `@openai/codex` is replaced by a stub
// through package.json `overrides`: every call here names our server as `codexPath`.
const SPECS = ['ai-sdk-provider-codex-cli@2.2.1', 'ai@7.0.173'];
const MOCK_TEXT = 'Hello from the mock model, streamed in pieces.';

type AnyFn = (...args: any[]) => any;
interface AiSdk {
  generateText: AnyFn;
  streamText: AnyFn;
}
interface ProviderModule {
  createCodexAppServer: (options: Json) => ((modelId: string, settings?: Json) => unknown) & { close(): Promise<void> };
  listModels: (options: Json) => Promise<{ models: Json[]; defaultModel?: Json; nextCursor: string | null }>;
}

let tool: ToolInstall = { ok: false, reason: 'not installed yet' };
let ai: AiSdk;
let providerModule: ProviderModule;
let mock: MockResponsesServer;
let dirs: ReturnType<typeof makeInteropHome>;
const warnings: string[] = [];
const providers: { close(): Promise<void> }[] = [];

/** Collects the provider's warnings and errors (dropped notifications, version trouble) for assertions. */
const logger = {
  debug: () => {},
  info: () => {},
  warn: (...args: unknown[]) => warnings.push(args.map(String).join(' ')),
  error: (...args: unknown[]) => warnings.push(args.map(String).join(' ')),
};

function newProvider(name: string, extra: Json = {}): { provider: ReturnType<ProviderModule['createCodexAppServer']>; pidFile: string } {
  const pidFile = path.join(TOOLS_DIR, 'bin', `${name}.pids`);
  rmSync(pidFile, { force: true });
  const wrapper = writeServerWrapper(name, { pidFile });
  const provider = providerModule.createCodexAppServer({
    defaultSettings: {
      codexPath: wrapper,
      cwd: dirs.home,
      env: { CODEX_HOME: dirs.codexHome, HOME: dirs.home, LOG_LEVEL: 'warn' },
      minCodexVersion: '0.153.0',
      requestTimeoutMs: 20_000,
      connectionTimeoutMs: 20_000,
      logger,
      ...extra,
    },
  });
  providers.push(provider);
  return { provider, pidFile };
}

function pidsIn(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function rolloutFiles(): string[] {
  const root = path.join(dirs.codexHome, 'sessions');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jsonl'));
}

beforeAll(async () => {
  const serverMissing = ourServerMissing();
  if (serverMissing) throw new Error(serverMissing);
  tool = devTool(SPECS);
  if (!tool.ok) {
    console.warn(`[interop] ai-sdk-provider-codex-cli tests cannot run: ${tool.reason}`);
    return;
  }
  ai = await importInstalled<AiSdk>(tool.dir, 'ai');
  providerModule = await importInstalled<ProviderModule>(tool.dir, 'ai-sdk-provider-codex-cli');
  mock = await createInteropMock(MOCK_TEXT, { deltas: 4 });
  dirs = makeInteropHome('ai-sdk');
  await writeSharedConfig(dirs.codexHome, mock);
}, INSTALL_HOOK_TIMEOUT_MS);

afterAll(async () => {
  for (const p of providers.splice(0)) await p.close().catch(() => {});
  await mock?.close();
  dirs?.cleanup();
});

describe('ai-sdk-provider-codex-cli 2.2.1 (ai 7) with codexPath = our server', () => {
  test('generateText returns the mock text, finish reason and token usage', async (ctx) => {
    if (!tool.ok) return unavailable(ctx, `not installed: ${tool.reason}`);
    warnings.length = 0;
    const { provider, pidFile } = newProvider('codex-ts-generate');
    const before = mock.responsesRequests().length;
    const result = await ai.generateText({ model: provider('mock-model'), prompt: 'Say hello (generate)' });
    expect(result.text).toBe(MOCK_TEXT);
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({ inputTokens: 100, outputTokens: 5, totalTokens: 105 });
    const requests = mock.responsesRequests().slice(before);
    expect(requests).toHaveLength(1);
    // The provider renders the prompt as a transcript (`User: …`).
    expect(lastUserText(requests[0]!)).toContain('Say hello (generate)');
    expect((requests[0]!.body as Json)['model']).toBe('mock-model');
    // Stateless mode starts ephemeral threads: nothing may reach the disk.
    expect(rolloutFiles()).toEqual([]);
    expect(warnings).toEqual([]);
    await provider.close();
    const [pid] = pidsIn(pidFile);
    expect(pid).toBeGreaterThan(0);
    await waitFor('the server to exit after provider.close()', () => !alive(pid!));
  });

  test('streamText delivers the text incrementally (one chunk per model delta)', async (ctx) => {
    if (!tool.ok) return unavailable(ctx, `not installed: ${tool.reason}`);
    warnings.length = 0;
    const { provider } = newProvider('codex-ts-stream');
    const result = ai.streamText({ model: provider('mock-model'), prompt: 'Say hello (stream)' });
    const chunks: string[] = [];
    for await (const chunk of result.textStream as AsyncIterable<string>) chunks.push(chunk);
    expect(chunks.join('')).toBe(MOCK_TEXT);
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    expect(await result.finishReason).toBe('stop');
    expect(await result.usage).toMatchObject({ inputTokens: 100, outputTokens: 5, totalTokens: 105 });
    // A second call on the same provider reuses the running server.
    const again = await ai.generateText({ model: provider('mock-model'), prompt: 'Once more' });
    expect(again.text).toBe(MOCK_TEXT);
    expect(warnings).toEqual([]);
    await provider.close();
  });

  test('persistent thread: written to disk, then resumed by threadId from a new server process', async (ctx) => {
    if (!tool.ok) return unavailable(ctx, `not installed: ${tool.reason}`);
    warnings.length = 0;
    const first = newProvider('codex-ts-persist-1');
    const r1 = await ai.generateText({
      model: first.provider('mock-model'),
      prompt: 'Remember the word apricot',
      providerOptions: { 'codex-app-server': { threadMode: 'persistent' } },
    });
    expect(r1.text).toBe(MOCK_TEXT);
    const meta = (r1.providerMetadata ?? r1.finalStep?.providerMetadata)?.['codex-app-server'] as Json | undefined;
    const threadId = String(meta?.['threadId']);
    expect(threadId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(rolloutFiles().some((f) => f.includes(threadId))).toBe(true);
    await first.provider.close();
    await waitFor('the first server to exit', () => pidsIn(first.pidFile).every((p) => !alive(p)));

    const second = newProvider('codex-ts-persist-2');
    const before = mock.responsesRequests().length;
    const r2 = await ai.generateText({
      model: second.provider('mock-model'),
      prompt: 'Which word?',
      providerOptions: { 'codex-app-server': { threadId } },
    });
    expect(r2.text).toBe(MOCK_TEXT);
    // The resumed thread sent the whole history to the model.
    const body = JSON.stringify(mock.responsesRequests()[before]!.body);
    expect(body).toContain('Remember the word apricot');
    expect(body).toContain(MOCK_TEXT);
    expect(lastUserText(mock.responsesRequests()[before]!)).toContain('Which word?');
    await second.provider.close();
    await waitFor('the second server to exit', () => pidsIn(second.pidFile).every((p) => !alive(p)));

    // Both turns are on disk, in order.
    const s = await startSide('ours', dirs, mock);
    try {
      const read = await s.req('thread/read', { threadId, includeTurns: true });
      const texts = turnTexts(read['thread']);
      expect(texts).toHaveLength(2);
      expect(texts[0]).toContain('Remember the word apricot');
      expect(texts[1]).toContain('Which word?');
    } finally {
      await s.close();
    }
    expect(warnings).toEqual([]);
  });

  test('listModels (model/list) returns the bundled catalogue, default model included', async (ctx) => {
    if (!tool.ok) return unavailable(ctx, `not installed: ${tool.reason}`);
    const wrapper = writeServerWrapper('codex-ts-models');
    const listed = await providerModule.listModels({ codexPath: wrapper, cwd: dirs.home, env: { CODEX_HOME: dirs.codexHome, HOME: dirs.home } });
    const catalogue = JSON.parse(readFileSync(path.join(REPO_ROOT, 'fixtures/protocol/model-list.json'), 'utf8')) as Json;
    expect(listed.models.map((m) => m['id'])).toEqual((catalogue['default']['data'] as Json[]).map((m) => m['id']));
    expect(listed.defaultModel?.['id']).toBe((catalogue['default']['data'] as Json[]).find((m) => m['isDefault'] === true)?.['id']);
    expect(listed.nextCursor).toBeNull();
  });

  test('an aborted stream ends cleanly: turn interrupted, model stream closed, server still usable, exits on close', async (ctx) => {
    if (!tool.ok) return unavailable(ctx, `not installed: ${tool.reason}`);
    warnings.length = 0;
    const { provider, pidFile } = newProvider('codex-ts-abort');
    const controller = new AbortController();
    const openBefore = mock.openResponses();
    const result = ai.streamText({
      model: provider('mock-model'),
      prompt: `${HANG_MARKER}: stream forever`,
      abortSignal: controller.signal,
      onError: () => {},
    });
    const seen: string[] = [];
    let ended: 'done' | 'threw' = 'done';
    let abortError: unknown = null;
    const consume = (async () => {
      try {
        for await (const chunk of result.textStream as AsyncIterable<string>) {
          seen.push(chunk);
          controller.abort(new Error('user pressed stop'));
        }
      } catch (error) {
        ended = 'threw';
        abortError = error;
      }
    })();
    const timeout = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000).unref());
    expect(await Promise.race([consume.then(() => 'settled' as const), timeout])).toBe('settled');
    expect(seen[0]).toBe('partial');
    // "Ends cleanly": the text stream finishes without throwing once aborted, and nothing arrives after the abort.
    expect({ ended, abortError, seen }).toEqual({ ended: 'done', abortError: null, seen: ['partial'] });
    // The server cancelled its model request (turn/interrupt reached it).
    await waitFor('the mock stream to be closed by the server', () => mock.openResponses() <= openBefore);
    // Same process, still answering.
    const pids = pidsIn(pidFile);
    expect(pids).toHaveLength(1);
    expect(alive(pids[0]!)).toBe(true);
    const after = await ai.generateText({ model: provider('mock-model'), prompt: 'Still there?' });
    expect(after.text).toBe(MOCK_TEXT);
    expect(pidsIn(pidFile)).toEqual(pids);
    await provider.close();
    await waitFor('the server to exit after provider.close()', () => !alive(pids[0]!));
    expect(warnings).toEqual([]);
  });
});
