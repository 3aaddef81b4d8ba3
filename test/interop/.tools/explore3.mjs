import { mkdtempSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { McpProcess, createMockResponsesServerRepeatingAssistant, createConfigToml } from '/work/main/dist/testing/index.js';
const REF = '/work/main/bench/.cache/reference/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex';
const mock = await createMockResponsesServerRepeatingAssistant('Done');
const base = mkdtempSync(path.join('/work/main/test/interop/.tools/homes', 'ref-'));
const home = path.join(base, 'codex'); mkdirSync(home); const scratch = path.join(base, 'home'); mkdirSync(scratch);
await createConfigToml(home, mock.uri, { features: { plugins: false } });
async function run(bin, fn) {
  const mcp = await McpProcess.start({ codexHome: home, serverBin: bin, env: { HOME: scratch, OPENAI_API_KEY: 'dummy' }, cwd: scratch });
  await mcp.initialize();
  const req = async (m, p) => { const id = await mcp.sendRequest(m, p); const r = await mcp.readStreamUntilAnswer?.(id) ?? null; return r; };
  const api = {
    req: async (m, p) => { const id = await mcp.sendRequest(m, p); return await mcp.readStreamUntilResponseMessage(id).then(r => r.result, e => { throw e; }); },
    turn: async (tid, text) => { await api.req('turn/start', { threadId: tid, input: [{ type: 'text', text }] }); return (await mcp.readStreamUntilNotificationMessage('turn/completed')).params; },
  };
  try { await fn(api); } finally { await mcp.close(); console.error('--- stderr', bin.slice(-10), '\n', mcp.stderr?.() ?? ''); }
  return mcp;
}
let a, b;
await run('/work/main/dist/cli.js', async (s) => {
  a = (await s.req('thread/start', {})).thread.id; await s.turn(a, 'hello'); await s.turn(a, 'again');
  b = (await s.req('thread/start', {})).thread.id; await s.turn(b, 'hello');
  await s.req('thread/name/set', { threadId: b, name: 'Named by ts' });
  const c = (await s.req('thread/start', {})).thread.id; await s.turn(c, 'to archive');
  await s.req('thread/archive', { threadId: c });
});
await run(REF, async (s) => {
  console.log(JSON.stringify(await s.req('thread/list', {}), null, 1).slice(0, 3000));
  console.log(JSON.stringify(await s.req('thread/list', { archived: true })).slice(0, 1500));
  const r = await s.req('thread/read', { threadId: a, includeTurns: true });
  console.log('READ turns', r.thread.turns.length, JSON.stringify(r.thread.turns.map(t => t.items.map(i => i.type + ':' + (i.text ?? i.content?.[0]?.text)))));
  const res = await s.req('thread/resume', { threadId: a });
  console.log('RESUME turns', res.thread.turns.length, res.thread.status);
  const t = await s.turn(a, 'third');
  console.log('TURN', t.turn.status, JSON.stringify(t.turn.items));
});
console.log(home, a, b);
await mock.close();
