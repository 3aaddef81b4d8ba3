import type { UserInput, AskForApproval, SandboxPolicy, ThreadStartParams, ThreadListParams, TurnStartParams, ThreadArchiveResponse, InitializeParams, Thread, ThreadItem, MethodParams, ServerNotificationParams, WireInput } from './index.js';
import type { ThreadStartParamsWire } from './thread-start-params.js';
export const x: UserInput = { type: 'text', text: 'a', text_elements: [] };
export const y: UserInput = { type: 'image', url: 'u' };
export const a: AskForApproval = { granular: { sandbox_approval: true, rules: true, skill_approval: false, request_permissions: false, mcp_elicitations: true } };
export const b: AskForApproval = 'never';
export const s: SandboxPolicy = { type: 'readOnly', networkAccess: false };
// @ts-expect-error bad tag
export const bad: UserInput = { type: 'bogus' };
// @ts-expect-error missing text
export const bad2: UserInput = { type: 'text' };
type TSI = WireInput<typeof ThreadStartParamsWire>;
export const tsi: TSI = {};
// @ts-expect-error wrong type
export const tsbad: ThreadStartParams = { model: 5 };
// @ts-expect-error missing defaults in output type
export const ts: ThreadStartParams = {};
// @ts-expect-error missing threadId
export const tspbad: TurnStartParams = { input: [] };
export type Check = ThreadStartParams['experimentalRawEvents'];
export const chk: Check = true;
export const tl: ThreadListParams = { useStateDbOnly: false, currentAccountOnly: false, includeAttachedThreads: false, cwd: ['a'] };
export const tsp: TurnStartParams = { threadId: 'x', input: [{ type: 'text', text: 'hi', text_elements: [] }] };
export const ar: ThreadArchiveResponse = {};
export const ip: InitializeParams = { clientInfo: { name: 'n', version: 'v' } };
export const mp: MethodParams<'thread/read'> = { threadId: 'x', includeTurns: true };
export function f(t: Thread, i: ThreadItem, n: ServerNotificationParams['item/started']) { return [t.id, i.type === 'agentMessage' ? i.text : '', n.startedAtMs]; }
