import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import type { HeaderSource } from './rate-limits.js';
import type { RequestBodyPieces } from './body-pieces.js';

type HttpModule = typeof import('node:http');

/**
 * node:http(s) load on the first model request: loading the HTTP stack costs ~5 ms that start-up and the
 * requests right after `initialize` do not need.
 */
function httpModule(secure: boolean): HttpModule {
  return createRequire(import.meta.url)(secure ? 'node:https' : 'node:http') as HttpModule;
}

/** The part of a fetch `Response` the Responses client reads. */
export interface FetchLikeResponse {
  ok: boolean;
  status: number;
  headers: HeaderSource;
  text(): Promise<string>;
  body: ReadableStream<Uint8Array> | null;
}

/** `body` is one string or the pieces of one (see `body-pieces.ts`), sent in order. */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string | RequestBodyPieces; signal: AbortSignal }) => Promise<FetchLikeResponse>;

/**
 * A minimal `fetch` over node:http(s) for the model client. Node's global fetch loads undici on first use,
 * which costs ~10 MiB of resident memory per process; a daemon spawned per editor window should not pay that
 * for one streaming POST. Aborting the signal destroys the request and its response stream.
 */
export const httpFetch: FetchLike = (url, init) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const { request } = httpModule(target.protocol === 'https:');
    const body = init.body;
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    const req = request(target, { method: init.method, headers: { ...init.headers, 'content-length': length.toString() }, signal: init.signal }, (res) => {
      resolve(toResponse(res));
    });
    req.on('error', reject);
    if (typeof body === 'string') {
      req.end(body);
      return;
    }
    // Corked: the pieces leave in as few socket writes as the kernel takes, without being joined here first.
    req.cork();
    for (const piece of body.pieces) req.write(piece);
    req.uncork();
    req.end();
  });

function toResponse(res: IncomingMessage): FetchLikeResponse {
  const status = res.statusCode ?? 0;
  let consumed = false;
  let stream: ReadableStream<Uint8Array> | null = null;
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: {
      get: (name) => {
        const value = res.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
      keys: () => Object.keys(res.headers),
    },
    async text() {
      consumed = true;
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    get body() {
      if (stream) return stream;
      if (consumed) return null;
      consumed = true;
      stream = readerOver(res);
      return stream;
    },
  };
}

/**
 * The `getReader()` surface the SSE reader uses, straight over the Node stream: `Readable.toWeb` builds a
 * WHATWG stream pipeline whose first use costs ~2 ms of the first turn, for no benefit here.
 */
function readerOver(res: IncomingMessage): ReadableStream<Uint8Array> {
  const chunks = res[Symbol.asyncIterator]();
  const reader = {
    read: async (): Promise<{ done: boolean; value: Uint8Array | undefined }> => {
      const next = await chunks.next();
      return next.done ? { done: true, value: undefined } : { done: false, value: next.value as Uint8Array };
    },
    cancel: async (): Promise<void> => {
      res.destroy();
    },
    releaseLock: (): void => undefined,
  };
  return { getReader: () => reader } as unknown as ReadableStream<Uint8Array>;
}
