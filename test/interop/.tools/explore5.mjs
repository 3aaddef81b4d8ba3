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
const req = async (m, p) => { const id = await mcp.sendRequest(m, p); return (await mcp.readStreamUntilResponseMessage(id)).result; };
const turn = async (tid, text) => { await req('turn/start', { threadId: tid, input: [{ type: 'text', text }] }); return (await mcp.readStreamUntilNotificationMessage('turn/completed')).params; };
try { return await fn(req, turn); } finally { await mcp.close(); const e = mcp.stderr ? mcp.stderr() : ''; }
}
const name = (b) => b === REF ? 'REF' : 'OURS';
const a = await session(REF, async (req, turn) => { const a = (await req('thread/start', {})).thread.id; await turn(a, 'r1'); return a; });
for (const bin of [OURS, REF, OURS, REF]) {
  await session(bin, async (req, turn) => {
    const r0 = await req('thread/read', { threadId: a, includeTurns: true });
    const res = await req('thread/resume', { threadId: a });
    await turn(a, name(bin) + '-turn');
    const r = await req('thread/read', { threadId: a, includeTurns: true });
    console.log(name(bin), 'read-before', r0.thread.turns.length, 'resume', res.thread.turns.length, 'read-after', r.thread.turns.length, r.thread.turns.map(t => t.items.find(i => i.type === 'userMessage')?.content[0].text).join(','));
  });
}
for (const bin of [OURS, REF]) await session(bin, async (req) => {
  const r = await req('thread/read', { threadId: a, includeTurns: true });
  const l = await req('thread/list', {});
  console.log('final', name(bin), r.thread.turns.length, r.thread.turns.map(t => t.items.find(i => i.type === 'userMessage')?.content[0].text).join(','), 'list', l.data.length);
});
console.log(home);
await mock.close();
