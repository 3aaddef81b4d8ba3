/** `expectNoNotification` passes only when the wait times out with the server up; never on "server exited". */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, onTestFinished, test } from 'vitest';
import { McpProcess } from '../../../src/testing/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cas-fake-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in server: on any line it runs `onLine` (JavaScript with `process` in scope). */
async function fake(name: string, onLine: string): Promise<McpProcess> {
  const file = path.join(dir, `${name}.mjs`);
  writeFileSync(file, `import readline from 'node:readline';\nreadline.createInterface({ input: process.stdin }).on('line', () => { ${onLine} });\n`);
  const mcp = await McpProcess.start({ codexHome: dir, serverBin: file });
  onTestFinished(() => void mcp.close());
  return mcp;
}

test('a quiet, live server: passes after the timeout', async () => {
  const mcp = await fake('quiet', '');
  await mcp.sendNotification('ping');
  await expect(mcp.expectNoNotification('turn/started', { timeoutMs: 100 })).resolves.toBeUndefined();
});

// The two failing cases wait far longer than the event takes even on a loaded machine: a correct implementation
// rejects as soon as the server exits or talks, so the long wait costs nothing; a wrong one resolves after it and
// fails the test (it never passes by racing the clock).
const LONG_WAIT = { timeoutMs: 60_000 };

test('a server that exits: fails, saying so', { timeout: 120_000 }, async () => {
  const mcp = await fake('exits', 'process.exit(3);');
  await mcp.sendNotification('ping');
  await expect(mcp.expectNoNotification('turn/started', LONG_WAIT)).rejects.toThrow(/server (exited|stdout closed)/);
});

test('the notification arrives: fails', { timeout: 120_000 }, async () => {
  const mcp = await fake('talks', `process.stdout.write(JSON.stringify({ method: 'turn/started', params: {}, emittedAtMs: 1 }) + '\\n');`);
  await mcp.sendNotification('ping');
  await expect(mcp.expectNoNotification('turn/started', LONG_WAIT)).rejects.toThrow(/expected no turn\/started notification/);
});
