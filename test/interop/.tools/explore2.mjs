import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { McpProcess, createMockResponsesServerRepeatingAssistant, createConfigToml } from '/work/main/dist/testing/index.js';
const mock = await createMockResponsesServerRepeatingAssistant('Done');
const home = mkdtempSync(path.join('/work/main/test/interop/.tools/homes', 'cc-'));
await createConfigToml(home, mock.uri, { features: { plugins: false } });
const mcp = await McpProcess.start({ codexHome: home });
await mcp.initialize();
async function req(m, p) { const id = await mcp.sendRequest(m, p); return (await mcp.readStreamUntilResponseMessage(id)).result; }
async function turn(tid, text) { await req('turn/start', { threadId: tid, input: [{ type: 'text', text }] }); await mcp.readStreamUntilNotificationMessage('turn/completed'); }
const a = (await req('thread/start', {})).thread.id; await turn(a, 'hello'); await turn(a, 'again');
const b = (await req('thread/start', {})).thread.id; await turn(b, 'hello');
await mcp.close();
console.log(home, a, b);
console.log(execFileSync('ccusage/node_modules/.bin/ccusage-codex', ['session', '--json', '--offline'], { env: { ...process.env, CODEX_HOME: home } }).toString());
await mock.close();
