import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { createMessageConnection, ResponseError } from 'vscode-jsonrpc/node';
import { silentLogger } from '../../../src/support/logger.js';
import { NdjsonMessageReader, NdjsonMessageWriter } from '../../../src/transport/index.js';

const quietRpcLogger = { error: () => {}, warn: () => {}, info: () => {}, log: () => {} };

/** Our reader/writer plugged into a real vscode-jsonrpc 10 connection with star handlers. */
function serve() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const out: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString('utf8')));
  const reader = new NdjsonMessageReader(stdin, { logger: silentLogger() });
  const writer = new NdjsonMessageWriter(stdout, { clock: { nowMs: () => 42 } });
  const connection = createMessageConnection(reader, writer, quietRpcLogger);
  connection.onRequest((method, params) => {
    if (method === 'fail') throw new ResponseError(-32600, 'Not initialized', { hidden: true });
    void connection.sendNotification('echo/seen', { method });
    return { method, params: params ?? null };
  });
  let closed = false;
  connection.onClose(() => (closed = true));
  connection.listen();
  const lines = () => out.join('').split('\n').filter((l) => l !== '');
  const waitLines = async (n: number) => {
    for (let i = 0; i < 200 && lines().length < n; i += 1) await new Promise((r) => setTimeout(r, 5));
    return lines();
  };
  return { stdin, writer, lines, waitLines, closed: () => closed };
}

test('requests without "jsonrpc" are served and answered in the reference envelope', async () => {
  const s = serve();
  s.stdin.write('{"id":1,"method":"echo","params":{"a":1}}\n{"id":"abc-1","jsonrpc":"2.0","method":"echo","params":{}}\n');
  const lines = await s.waitLines(4);
  expect(lines).toContain('{"id":1,"result":{"method":"echo","params":{"a":1}}}');
  expect(lines).toContain('{"id":"abc-1","result":{"method":"echo","params":{}}}');
  expect(lines).toContain('{"method":"echo/seen","params":{"method":"echo"},"emittedAtMs":42}');
  expect(lines.every((l) => !l.includes('jsonrpc'))).toBe(true);
});

test('a ResponseError becomes {"error":{code,data,message},"id"}: data kept (config write errors carry one), between code and message as the reference orders them', async () => {
  const s = serve();
  s.stdin.write('{"id":2,"method":"fail","params":{}}\n');
  expect(await s.waitLines(1)).toEqual(['{"error":{"code":-32600,"data":{"hidden":true},"message":"Not initialized"},"id":2}']);
});

test('garbage between requests gets no answer and the next request is served', async () => {
  const s = serve();
  s.stdin.write('garbage\n[1,2,3]\n{"id":3,"method":"echo","params":{}}\n');
  const lines = await s.waitLines(2);
  expect(lines.filter((l) => l.startsWith('{"id"'))).toEqual(['{"id":3,"result":{"method":"echo","params":{}}}']);
});

test('end of input closes the connection', async () => {
  const s = serve();
  s.stdin.end();
  for (let i = 0; i < 100 && !s.closed(); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(s.closed()).toBe(true);
});
