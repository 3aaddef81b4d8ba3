import type { Message } from 'vscode-jsonrpc';

type Id = number | string | null;

interface AnyMessage {
  id?: Id;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown } | null;
  emittedAtMs?: unknown;
}

/**
 * Encodes one outgoing message as the reference writes it (SPEC §1), without the trailing `\n`:
 *
 * - response `{"id":…,"result":…}` (an undefined result becomes `null`);
 * - error `{"error":{"code":…,"message":…},"id":…}`, or `{"code":…,"data":…,"message":…}` when the error carries
 *   `data` (the config write errors' `config_write_error_code`), the reference's field order;
 * - notification `{"method":…,"params":…,"emittedAtMs":…}` (`params` omitted only when undefined;
 *   `emittedAtMs` is the message's own number if it has one, else `nowMs()`);
 * - server→client request `{"method":…,"id":…,"params":…}` (observed: `item/commandExecution/requestApproval`).
 *
 * Never emits `jsonrpc`. Throws on something that is none of the four, or that JSON cannot encode.
 */
export function encodeMessage(message: Message, nowMs: () => number): string {
  const m = message as unknown as AnyMessage;
  if (typeof m.method === 'string') {
    if (m.id === undefined || m.id === null) {
      const emittedAtMs = typeof m.emittedAtMs === 'number' ? m.emittedAtMs : nowMs();
      return JSON.stringify({ method: m.method, params: m.params, emittedAtMs });
    }
    return JSON.stringify({ method: m.method, id: m.id, params: m.params });
  }
  if ('id' in m && (m.error !== undefined || 'result' in m)) {
    if (m.error !== undefined && m.error !== null) {
      const { code, message, data } = m.error;
      const error = data === undefined || data === null ? { code, message } : { code, data, message };
      return JSON.stringify({ error, id: m.id ?? null });
    }
    return JSON.stringify({ id: m.id ?? null, result: m.result === undefined ? null : m.result });
  }
  throw new TypeError('not a JSON-RPC request, notification or response');
}
