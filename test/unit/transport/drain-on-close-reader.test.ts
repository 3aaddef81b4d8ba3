/**
 * DrainOnCloseReader, fed by a scripted inner reader: end of input waits for every delivered request to be
 * dispatched; a request whose id is still queued holds back everything after it; unusable cancels are dropped.
 */
import { expect, test } from 'vitest';
import { Emitter, type DataCallback, type Message, type MessageReader, type PartialMessageInfo } from 'vscode-jsonrpc/node';
import { DrainOnCloseReader } from '../../../src/transport/drain-on-close-reader.js';

/** An inner reader the test drives: `push` delivers a message, `end` closes the input. */
function scripted() {
  const close = new Emitter<void>();
  let callback: DataCallback = () => {};
  const inner: MessageReader = {
    onError: new Emitter<Error>().event,
    onClose: close.event,
    onPartialMessage: new Emitter<PartialMessageInfo>().event,
    listen: (cb) => {
      callback = cb;
      return { dispose: () => {} };
    },
    dispose: () => {},
  };
  return { inner, push: (m: object) => callback(m as Message), end: () => close.fire() };
}

const macrotask = () => new Promise((resolve) => setImmediate(resolve));

test('end of input is reported only after every delivered request was dispatched', async () => {
  const s = scripted();
  const reader = new DrainOnCloseReader(s.inner);
  const seen: unknown[] = [];
  reader.listen((m) => seen.push((m as { id?: unknown }).id));
  let closed = false;
  reader.onClose(() => (closed = true));

  s.push({ id: 1, method: 'a', params: {} });
  s.push({ id: 2, method: 'b', params: {} });
  s.end();
  await macrotask();
  expect(seen).toEqual([1, 2]);
  expect(closed).toBe(false);

  reader.requestDispatched();
  await macrotask();
  expect(closed).toBe(false);
  reader.requestDispatched();
  await macrotask();
  expect(closed).toBe(true);
});

test('a request reusing a queued id (1 next to "1") waits, with everything after it, until the first is dispatched', () => {
  const s = scripted();
  const reader = new DrainOnCloseReader(s.inner);
  const seen: unknown[] = [];
  reader.listen((m) => seen.push((m as { id?: unknown; method?: string }).id ?? (m as { method?: string }).method));

  s.push({ id: 1, method: 'a', params: {} });
  s.push({ id: '1', method: 'b', params: {} });
  s.push({ method: 'note' });
  s.push({ id: 3, method: 'c', params: {} });
  expect(seen).toEqual([1]);

  reader.requestDispatched();
  expect(seen).toEqual([1, '1', 'note', 3]);
});

test('a $/cancelRequest without a usable id is dropped; a usable one passes', () => {
  const s = scripted();
  const reader = new DrainOnCloseReader(s.inner);
  const seen: unknown[] = [];
  reader.listen((m) => seen.push(m));

  s.push({ method: '$/cancelRequest', params: { id: { nested: true } } });
  s.push({ method: '$/cancelRequest', params: null });
  s.push({ method: '$/cancelRequest', params: { id: 7 } });
  expect(seen).toEqual([{ method: '$/cancelRequest', params: { id: 7 } }]);
});
