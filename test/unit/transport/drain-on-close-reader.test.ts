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

test('a $/cancelRequest with a string id, or any message carrying its own id, passes', () => {
  const s = scripted();
  const reader = new DrainOnCloseReader(s.inner);
  const seen: unknown[] = [];
  reader.listen((m) => seen.push(m));
  s.push({ method: '$/cancelRequest', params: { id: 'abc' } });
  s.push({ method: '$/cancelRequest' });
  s.push({ id: 9, method: '$/cancelRequest', params: null });
  s.push({ method: 'other', params: null });
  expect(seen).toEqual([{ method: '$/cancelRequest', params: { id: 'abc' } }, { id: 9, method: '$/cancelRequest', params: null }, { method: 'other', params: null }]);
});

test('responses and notifications are never held and never counted as requests', async () => {
  const s = scripted();
  const reader = new DrainOnCloseReader(s.inner);
  const seen: unknown[] = [];
  reader.listen((m) => seen.push(m));
  let closed = false;
  reader.onClose(() => (closed = true));
  s.push({ id: 1, result: {} });
  s.push({ id: 1, result: {} });
  s.push({ method: 'n' });
  s.push({ id: null, method: 'weird' });
  s.push({ id: true, method: 'weird2' });
  expect(seen).toHaveLength(5);
  s.end();
  await macrotask();
  expect(closed).toBe(true);
});

test('close waits for held messages too, and fires only once', async () => {
  const s = scripted();
  const reader = new DrainOnCloseReader(s.inner);
  const seen: unknown[] = [];
  reader.listen((m) => seen.push((m as { id?: unknown }).id));
  let closes = 0;
  reader.onClose(() => (closes += 1));
  s.push({ id: 1, method: 'a' });
  s.push({ id: 1, method: 'b' });
  s.end();
  await macrotask();
  expect(closes).toBe(0);
  reader.requestDispatched(); // the first is dispatched: the second is released, still undispatched
  await macrotask();
  expect(seen).toEqual([1, 1]);
  expect(closes).toBe(0);
  reader.requestDispatched();
  await macrotask();
  expect(closes).toBe(1);
  reader.requestDispatched();
  await macrotask();
  expect(closes).toBe(1);
});

test('the close is reported on a later macrotask, not synchronously', () => {
  const s = scripted();
  const reader = new DrainOnCloseReader(s.inner);
  reader.listen(() => {});
  let closed = false;
  reader.onClose(() => (closed = true));
  s.end();
  expect(closed).toBe(false);
});

test('thousands of requests dispatched in order keep the queue compact and ids reusable', () => {
  const s = scripted();
  const reader = new DrainOnCloseReader(s.inner);
  const seen: unknown[] = [];
  reader.listen((m) => seen.push((m as { id?: unknown }).id));
  for (let round = 0; round < 3; round += 1) {
    for (let i = 0; i < 1500; i += 1) s.push({ id: i, method: 'm' });
    for (let i = 0; i < 1500; i += 1) reader.requestDispatched();
  }
  expect(seen).toHaveLength(4500);
  // Every id is free again: a new request with id 0 passes at once.
  s.push({ id: 0, method: 'again' });
  expect(seen).toHaveLength(4501);
  // A request whose id is queued now is held.
  s.push({ id: 0, method: 'dup' });
  expect(seen).toHaveLength(4501);
});

test('onError and onPartialMessage are the inner reader\'s; dispose disposes the inner reader', () => {
  const s = scripted();
  let disposed = 0;
  s.inner.dispose = () => (disposed += 1);
  const reader = new DrainOnCloseReader(s.inner);
  expect(reader.onError).toBe(s.inner.onError);
  expect(reader.onPartialMessage).toBe(s.inner.onPartialMessage);
  reader.dispose();
  expect(disposed).toBe(1);
});
