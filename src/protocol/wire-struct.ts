/**
 * Structs of the wire-type language (see `wire-type.ts`): serde-derived `Deserialize` for a
 * `#[serde(rename_all = "camelCase")]` struct, unknown fields ignored.
 *
 * - From an object: known keys are decoded in key byte order (the reference's sorted map), the first
 *   bad value stops decoding; then the first absent non-optional field in *declaration* order gives
 *   ``missing field `x` ``.
 * - From an array (serde's `visit_seq`): elements fill the fields in declaration order; a short array
 *   fails with `invalid length i, expected struct X with n elements` unless the remaining fields have a
 *   serde default; a long one with `invalid length n, expected m elements in sequence`.
 */
import type { z } from 'zod';
import { invalidLength, invalidType, missingField } from './serde-text.js';
import { type WireType, type Zod, isJsonObject, memoSchema, wOption } from './wire-type.js';

/**
 * How a field behaves when absent:
 * `required` → missing-field error; `option` (`Option<T>`) → left out (but required positionally);
 * `optionDefault` (`Option<T>` with `#[serde(default)]`) → left out everywhere;
 * `default` (`T` with `#[serde(default)]`) → filled with the default value.
 */
export type FieldKind = 'required' | 'option' | 'optionDefault' | 'default';

/** One struct field: its wire type and absence behaviour. */
export interface FieldSpec<T, K extends FieldKind, I = T> {
  readonly type: WireType<T, I>;
  readonly kind: K;
  readonly makeDefault?: () => T;
}

/** A required field (`T`, no serde default). */
export function required<T, I>(type: WireType<T, I>): FieldSpec<T, 'required', I> {
  return { type, kind: 'required' };
}

/** `Option<T>` without `#[serde(default)]`: may be absent or `null` in an object. */
export function optional<T, I>(type: WireType<T, I>): FieldSpec<T | null, 'option', I | null> {
  return { type: wOption(type), kind: 'option' };
}

/** `Option<T>` with `#[serde(default)]` (double options, `path`, …): may also be missing from an array. */
export function optionalDefault<T, I>(type: WireType<T, I>): FieldSpec<T | null, 'optionDefault', I | null> {
  return { type: wOption(type), kind: 'optionDefault' };
}

/** `T` with `#[serde(default)]`: absent → `value` (copied); `null` is a type error, as in serde. */
export function withDefault<T, I>(type: WireType<T, I>, value: T): FieldSpec<T, 'default', I> {
  const makeDefault = (): T => (Array.isArray(value) ? ([...value] as T) : value);
  return { type, kind: 'default', makeDefault };
}

// `any` here only widens the element type of the table; each field keeps its own precise type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyField = FieldSpec<any, FieldKind, any>;
/** A struct's field table, in Rust declaration order. */
export type Fields = Record<string, AnyField>;

type FieldType<S> = S extends FieldSpec<infer T, FieldKind, unknown> ? T : never;
type FieldInput<S> = S extends FieldSpec<unknown, FieldKind, infer I> ? I : never;
type PresentKeys<F> = {
  [K in keyof F]: F[K] extends FieldSpec<unknown, 'required' | 'default', unknown> ? K : never;
}[keyof F];
type RequiredInputKeys<F> = { [K in keyof F]: F[K] extends FieldSpec<unknown, 'required', unknown> ? K : never }[keyof F];
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The decoded object of a struct: required and defaulted fields always present, options optional. */
export type StructOutput<F extends Fields> = Simplify<
  { [K in PresentKeys<F>]: FieldType<F[K]> } & { [K in Exclude<keyof F, PresentKeys<F>>]?: FieldType<F[K]> }
>;

/** What a client may send for a struct: only `required` fields are mandatory. */
export type StructInput<F extends Fields> = Simplify<
  { [K in RequiredInputKeys<F>]: FieldInput<F[K]> } & {
    [K in Exclude<keyof F, RequiredInputKeys<F>>]?: FieldInput<F[K]>;
  }
>;

/** A struct wire type, with the pieces tagged enums reuse for their variants. */
export interface StructType<T, I = T> extends WireType<T, I> {
  /** zod shape of the fields (tagged enums add the tag literal to it); memoised like `zod`. */
  readonly shape: (zod: Zod) => z.ZodRawShape;
  /** Decode from an object already known to be a JSON object. */
  readonly decodeObject: (obj: Record<string, unknown>) => T;
  /** Decode from an array (positional fields). */
  readonly decodeSeq: (arr: readonly unknown[]) => T;
}

/** Extra behaviour for structs that serde derives with `#[serde(flatten)]` parts. */
export interface StructOptions<E extends z.ZodRawShape = {}> {
  /** Checks (and fills `out` from) keys not covered by the field table; runs after the fields. */
  readonly check?: (raw: Record<string, unknown>, out: Record<string, unknown>) => void;
  /** zod shape of what `check` adds (built only when the schema is). */
  readonly extraShape?: (zod: Zod) => E;
  /** serde cannot visit a sequence for this struct (flattened fields): arrays are a type error. */
  readonly noSeq?: boolean;
}

/** The decoded object of a struct with flattened extras `E` (always optional keys). */
type WithExtras<F extends Fields, E extends z.ZodRawShape> = Simplify<
  StructOutput<F> & { [K in keyof E]?: z.output<E[K]> }
>;
type WithExtrasInput<F extends Fields, E extends z.ZodRawShape> = Simplify<
  StructInput<F> & { [K in keyof E]?: z.input<E[K]> }
>;

/** `struct <Name>` (serde's expecting text for a plain struct). */
export function wStruct<F extends Fields, E extends z.ZodRawShape = {}>(
  name: string,
  fields: F,
  options: StructOptions<E> = {},
): StructType<WithExtras<F, E>, WithExtrasInput<F, E>> {
  return defineStruct(`struct ${name}`, fields, options);
}

/** `struct variant <Enum>::<Variant>` (a struct variant of an enum). */
export function wStructVariant<F extends Fields, E extends z.ZodRawShape = {}>(
  enumName: string,
  variant: string,
  fields: F,
  options: StructOptions<E> = {},
): StructType<WithExtras<F, E>, WithExtrasInput<F, E>> {
  return defineStruct(`struct variant ${enumName}::${variant}`, fields, options);
}

function defineStruct<F extends Fields, E extends z.ZodRawShape>(
  expecting: string,
  fields: F,
  options: StructOptions<E>,
): StructType<WithExtras<F, E>, WithExtrasInput<F, E>> {
  type T = WithExtras<F, E>;
  type I = WithExtrasInput<F, E>;
  const declared = Object.entries(fields).map(([name, spec]) => ({ name, ...spec }));
  const sorted = [...declared].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const count = declared.length;
  const seqExpecting = `${expecting} with ${count} element${count === 1 ? '' : 's'}`;
  const seqTooLong = `${count} element${count === 1 ? '' : 's'} in sequence`;

  const shape = memoSchema((zod: Zod): z.ZodRawShape => {
    const fieldShapes: Record<string, z.ZodType> = {};
    for (const f of declared) {
      const schema = f.type.zod(zod);
      fieldShapes[f.name] =
        f.kind === 'required'
          ? schema
          : f.kind === 'default' && f.makeDefault
            ? schema.default(f.makeDefault())
            : schema.optional();
    }
    return Object.assign(fieldShapes, options.extraShape?.(zod));
  });

  const decodeObject = (obj: Record<string, unknown>): T => {
    const out: Record<string, unknown> = {};
    for (const f of sorted) {
      if (Object.hasOwn(obj, f.name)) out[f.name] = f.type.decode(obj[f.name]);
    }
    for (const f of declared) {
      if (Object.hasOwn(out, f.name)) continue;
      if (f.kind === 'required') throw missingField(f.name);
      if (f.kind === 'default' && f.makeDefault) out[f.name] = f.makeDefault();
    }
    options.check?.(obj, out);
    return out as T;
  };

  const decodeSeq = (arr: readonly unknown[]): T => {
    if (options.noSeq) throw invalidType(arr, expecting);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      const f = declared[i];
      if (!f) break;
      if (i < arr.length) out[f.name] = f.type.decode(arr[i]);
      else if (f.kind === 'default' && f.makeDefault) out[f.name] = f.makeDefault();
      else if (f.kind !== 'optionDefault') throw invalidLength(i, seqExpecting);
    }
    if (arr.length > count) throw invalidLength(arr.length, seqTooLong);
    return out as T;
  };

  const decode = (v: unknown): T => {
    if (isJsonObject(v)) return decodeObject(v);
    if (Array.isArray(v)) return decodeSeq(v);
    throw invalidType(v, expecting);
  };

  const schema = memoSchema((zod: Zod) => zod.object(shape(zod)) as unknown as z.ZodType<T, I>);
  return { zod: schema, expecting, decode, shape, decodeObject, decodeSeq };
}
