/**
 * Wire types: a small description language for request params that yields, from one definition,
 *
 * - a precompiled decoder (`.decode`) with the reference's serde semantics and error texts, and
 * - a zod schema of the decoded value (`.zod(z)`): the TypeScript type (`z.infer`) and the JSON Schema export.
 *
 * Why not decode with zod directly: the reference reports the *first* serde error in serde's own words and
 * order (`invalid type: integer \`1\`, expected a boolean`, ``missing field `x` ``, positional arrays…);
 * mapping zod issues back to that is lossy. The decoders here are closures built once at module load,
 * so decoding a request does no schema construction.
 *
 * The server's decode path never evaluates zod: this module (and every module the decoders need) imports
 * zod for its types only. A wire type's zod schema is built on the first `.zod(z)` call, from the `z` the
 * caller passes in (the schema side: `param-schemas.ts`, `methods.ts`, `json-schema.ts`, tests), and is
 * memoised, so every call returns the same schema object and nested wire types share their schemas.
 *
 * Decoding follows the reference path: params arrive as a `serde_json::Value` (a sorted `BTreeMap`, so
 * object keys are visited in byte order), are buffered as serde `Content` by the internally tagged
 * `ClientRequest`, and then deserialized into the params struct.
 */
import type { z } from 'zod';
import { SerdeError, invalidType, invalidValue, isJsonInteger } from './serde-text.js';

/** zod's `z` namespace, as passed to {@link WireType.zod} by code that imports zod. */
export type Zod = typeof z;

/**
 * One wire type. `decode` never mutates its input and returns a fresh value; it throws {@link SerdeError}
 * (serde text, no `Invalid request: ` prefix) on the first problem, exactly where serde would stop.
 */
export interface WireType<T, I = T> {
  /**
   * zod schema of the decoded value (output `T`) and of what a client may send (input `I`: fields with
   * serde defaults optional). Parsing a value `decode` accepted gives an equal value. Built from `zod` on
   * the first call and memoised (the same object on every call).
   */
  readonly zod: (zod: Zod) => z.ZodType<T, I>;
  /** serde's `expecting` text for this type (`a string`, `u32`, `struct ClientInfo`, …). */
  readonly expecting: string;
  /** Decode one JSON value (as produced by `JSON.parse`). */
  readonly decode: (value: unknown) => T;
}

/** The decoded type of a wire type. */
export type WireOutput<W> = W extends WireType<infer T, unknown> ? T : never;
/** What a client may send for a wire type (serde defaults optional). */
export type WireInput<W> = W extends WireType<unknown, infer I> ? I : never;

const U32_MAX = 4294967295;

/** Memoises a schema builder: `build` runs on the first call only; later calls return its first result. */
export function memoSchema<S>(build: (zod: Zod) => S): (zod: Zod) => S {
  let built: S | undefined;
  return (zod) => (built ??= build(zod));
}

function make<T, I = T>(expecting: string, decode: (value: unknown) => T, build: (zod: Zod) => z.ZodType<T, I>): WireType<T, I> {
  return { zod: memoSchema(build), expecting, decode };
}

/** True for a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `String`. */
export const wString: WireType<string> = make(
  'a string',
  (v) => {
    if (typeof v === 'string') return v;
    throw invalidType(v, 'a string');
  },
  (zod) => zod.string(),
);

/** `PathBuf`: like a string, but serde's path visitor words its expectation differently. */
export const wPath: WireType<string> = make(
  'path string',
  (v) => {
    if (typeof v === 'string') return v;
    throw invalidType(v, 'path string');
  },
  (zod) => zod.string(),
);

/** `bool`. */
export const wBool: WireType<boolean> = make(
  'a boolean',
  (v) => {
    if (typeof v === 'boolean') return v;
    throw invalidType(v, 'a boolean');
  },
  (zod) => zod.boolean(),
);

/** An unsigned or signed integer type with serde's range checks (`invalid value: integer \`-1\`, expected u32`). */
function integer(expecting: string, min: number, max: number): WireType<number> {
  return make(
    expecting,
    (v) => {
      if (typeof v !== 'number' || !isJsonInteger(v)) {
        throw invalidType(v, expecting);
      }
      if (v < min || v > max) throw invalidValue(v, expecting);
      return v;
    },
    (zod) => zod.number().int().min(min).max(max),
  );
}

/** `u32` (`limit` fields). */
export const wU32: WireType<number> = integer('u32', 0, U32_MAX);
/** `u64`. */
export const wU64: WireType<number> = integer('u64', 0, Number.MAX_SAFE_INTEGER);
/** `usize` (byte ranges). */
export const wUsize: WireType<number> = integer('usize', 0, Number.MAX_SAFE_INTEGER);
/** `i64`. */
export const wI64: WireType<number> = integer('i64', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);

/** `serde_json::Value`: anything, kept as is (deep experimental payloads we accept but do not interpret). */
export const wJson: WireType<unknown> = make(
  'any valid JSON value',
  (v) => v,
  (zod) => zod.unknown(),
);

/**
 * `Option<T>` as a value: `null` → `null`, anything else decodes as `T`. Whether the key may be absent is
 * decided by the struct field (see `wire-struct.ts`).
 */
export function wOption<T, I>(inner: WireType<T, I>): WireType<T | null, I | null> {
  return make(
    inner.expecting,
    (v) => (v === null ? null : inner.decode(v)),
    (zod) => inner.zod(zod).nullable() as z.ZodType<T | null, I | null>,
  );
}

/** `Vec<T>`. */
export function wVec<T, I>(inner: WireType<T, I>): WireType<T[], I[]> {
  return make(
    'a sequence',
    (v) => {
      if (!Array.isArray(v)) throw invalidType(v, 'a sequence');
      const out: T[] = new Array<T>(v.length);
      for (let i = 0; i < v.length; i++) out[i] = inner.decode(v[i]);
      return out;
    },
    (zod) => zod.array(inner.zod(zod)) as z.ZodType<T[], I[]>,
  );
}

/** `HashMap<String, T>`. Entries are visited in key byte order, as the reference's sorted map does. */
export function wMap<T, I>(inner: WireType<T, I>): WireType<Record<string, T>, Record<string, I>> {
  return make(
    'a map',
    (v) => {
      if (!isJsonObject(v)) throw invalidType(v, 'a map');
      const out: Record<string, T> = {};
      for (const key of Object.keys(v).sort()) out[key] = inner.decode(v[key]);
      return out;
    },
    (zod) => zod.record(zod.string(), inner.zod(zod)) as z.ZodType<Record<string, T>, Record<string, I>>,
  );
}

/**
 * `#[serde(untagged)]` enum: the first alternative that decodes wins; if none does, serde's
 * `data did not match any variant of untagged enum <name>`.
 */
export function wUntagged<A, AI, B, BI>(name: string, a: WireType<A, AI>, b: WireType<B, BI>): WireType<A | B, AI | BI> {
  const message = `data did not match any variant of untagged enum ${name}`;
  return make(
    `untagged enum ${name}`,
    (v) => {
      for (const alt of [a, b] as WireType<A | B, unknown>[]) {
        try {
          return alt.decode(v);
        } catch (err) {
          if (!(err instanceof SerdeError)) throw err;
        }
      }
      throw new SerdeError(message);
    },
    (zod) => zod.union([a.zod(zod), b.zod(zod)]) as z.ZodType<A | B, AI | BI>,
  );
}
