import { mkdtempSync, mkdirSync, cpSync, rmSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { McpProcess, createMockResponsesServerRepeatingAssistant, createConfigToml } from '/work/main/dist/testing/index.js';
const REF = '/work/main/bench/.cache/reference/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex';
const mock = await createMockResponsesServerRepeatingAssistant('Done');
const base = mkdtempSync(path.join('/work/main/test/interop/.tools/homes', 'fx-'));
const home = path.join(base, 'codex'); mkdirSync(home); const scratch = path.join(base, 'home'); mkdirSync(scratch);
await createConfigToml(home, mock.uri, { features: { plugins: false } });
async function session(fn) {
const mcp = await McpProcess.start({ codexHome: home, serverBin: REF, env: { HOME: scratch, OPENAI_API_KEY: 'dummy' }, cwd: scratch });
await mcp.initialize();
const req = async (m, p) => { const id = await mcp.sendRequest(m, p); return (await mcp.readStreamUntilResponseMessage(id)).result; };
const turn = async (tid, text) => { await req('turn/start', { threadId: tid, input: [{ type: 'text', text }] }); return (await mcp.readStreamUntilNotificationMessage('turn/completed')).params; };
try { return await fn(req, turn); } finally { await mcp.close(); }
}
const a = await session(async (req, turn) => { const a = (await req('thread/start', {})).thread.id; await turn(a, 'hello'); await turn(a, 'again'); return a; });
await session(async (req) => { const r = await req('thread/read', { threadId: a, includeTurns: true }); console.log('same home READ turns', r.thread.turns.length); });
for (const f of readdirSync(home)) if (f.startsWith('thread_history_1')) rmSync(path.join(home, f));
await session(async (req) => { const r = await req('thread/read', { threadId: a, includeTurns: true }); console.log('history db deleted READ turns', r.thread.turns.length); });
await session(async (req) => { const r = await req('thread/read', { threadId: a, includeTurns: true }); console.log('again READ turns', r.thread.turns.length); });
console.log(home);
await mock.close();
