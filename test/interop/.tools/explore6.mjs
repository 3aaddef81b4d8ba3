import { mkdtempSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { McpProcess, createMockResponsesServerRepeatingAssistant, createConfigToml } from '/work/main/dist/testing/index.js';
const REF = '/work/main/bench/.cache/reference/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex';
const OURS = '/work/main/dist/cli.js';
const mock = await createMockResponsesServerRepeatingAssistant('Done');
const base = mkdtempSync(path.join('/work/main/test/interop/.tools/homes', 'alt-'));
const home = path.join(base, 'codex'); mkdirSync(home); const scratch = path.join(base, 'home'); mkdirSync(scratch);
await createConfigToml(home, mock.uri, { features: { plugins: false } });
async function session(bin, fn) {
const mcp = await McpProcess.start({ codexHome: home, serverBin: bin, env: { HOME: scratch, OPENAI_API_KEY: 'dummy' }, cwd: scratch });
await mcp.initialize();
const req = async (m, p) => { const id = await mcp.sendRequest(m, p); const a = await mcp.readStreamUntilAnswer ? null : null; return (await mcp.readStreamUntilResponseMessage(id).catch(e => ({ result: { ERR: e.message.split('\n')[0] } }))).result; };
const turn = async (tid, text) => { await req('turn/start', { threadId: tid, input: [{ type: 'text', text }] }); return (await mcp.readStreamUntilNotificationMessage('turn/completed')).params; };
try { return await fn(req, turn); } finally { await mcp.close(); }
}
const a = await session(REF, async (req, turn) => { const a = (await req('thread/start', {})).thread.id; await turn(a, 'r1'); return a; });
const b = await session(OURS, async (req, turn) => { await req('thread/resume', { threadId: a }); await turn(a, 'o1'); const b = (await req('thread/start', {})).thread.id; await turn(b, 'ob1'); return b; });
await session(REF, async (req) => {
  for (const t of [a, b]) {
  console.log('turns/list', JSON.stringify(await req('thread/turns/list', { threadId: t, itemsView: 'full' })).slice(0, 400));
  console.log('items/list', JSON.stringify(await req('thread/items/list', { threadId: t })).slice(0, 400));
  const r = await req('thread/read', { threadId: t, includeTurns: true }); console.log('read', r.thread?.turns?.length);
  }
});
await mock.close();
