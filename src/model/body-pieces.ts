/**
 * The Responses request body as a list of JSON pieces instead of one string.
 *
 * A thread's model input only grows: turn 1,000 sends every item of the 999 before it. Serialising the whole body
 * per request allocates a string (and its UTF-8 copy) the size of the whole history every turn; strings that big
 * land in V8's large-object space and, living through the request, survive into the old generation, where only a
 * full GC frees them. So a daemon's memory grew with history × turns (issue 18). Here each input item is
 * serialised once and its text kept for as long as the item lives (a `WeakMap` keyed by the item, which the
 * thread keeps in its input); a request only adds the small envelope around them.
 */
import { buildResponsesBody } from './request-body.js';
import type { ModelRequest } from './types.js';

/** A request body ready to send: the concatenation of `pieces` is the JSON text, `byteLength` its UTF-8 size. */
export interface RequestBodyPieces {
  readonly pieces: readonly string[];
  readonly byteLength: number;
}

interface ItemText {
  text: string;
  bytes: number;
}

/** Caches the JSON text of input items by identity. Items must not be mutated after they were first sent. */
export class BodyPieceCache {
  private readonly items = new WeakMap<object, ItemText>();

  /** The body of `request` as pieces (same text as `JSON.stringify(buildResponsesBody(request))`). */
  body(request: ModelRequest): RequestBodyPieces {
    const marker = '"input":[]';
    const envelope = JSON.stringify(buildResponsesBody({ ...request, input: [] }));
    const at = envelope.indexOf(marker);
    if (at === -1) {
      // Not reached while `input` is in the body; kept so a shape change degrades to one string, not a bad body.
      const text = JSON.stringify(buildResponsesBody(request));
      return { pieces: [text], byteLength: Buffer.byteLength(text) };
    }
    const head = envelope.slice(0, at + marker.length - 1);
    const tail = envelope.slice(at + marker.length - 1);
    const pieces: string[] = [head];
    let bytes = Buffer.byteLength(head) + Buffer.byteLength(tail);
    request.input.forEach((item, i) => {
      const cached = this.text(item);
      if (i > 0) {
        pieces.push(',');
        bytes += 1;
      }
      pieces.push(cached.text);
      bytes += cached.bytes;
    });
    pieces.push(tail);
    return { pieces, byteLength: bytes };
  }

  private text(item: object): ItemText {
    let cached = this.items.get(item);
    if (cached === undefined) {
      const text = JSON.stringify(item) ?? 'null';
      cached = { text, bytes: Buffer.byteLength(text) };
      this.items.set(item, cached);
    }
    return cached;
  }
}

/** The whole text (for callers that need one string, e.g. a `fetch` that only takes strings). */
export function bodyText(body: string | RequestBodyPieces): string {
  return typeof body === 'string' ? body : body.pieces.join('');
}
