/**
 * Enums of the wire-type language (see `wire-type.ts`), with serde's error texts:
 *
 * - {@link wEnum}: unit variants, externally tagged (`"read-only"`);
 * - {@link wExternalEnum}: unit and data variants, externally tagged (`"never"` or `{"granular":{…}}`);
 * - {@link wTaggedEnum}: `#[serde(tag = "type")]` struct variants (`{"type":"text","text":"hi"}`).
 */
import type { z } from 'zod';
import { SerdeError, invalidType, invalidValue, isJsonInteger, missingField, unknownVariantText } from './serde-text.js';
import type { StructType } from './wire-struct.js';
import { type WireInput, type WireOutput, type WireType, type Zod, isJsonObject, memoSchema } from './wire-type.js';

/** A unit-only enum. Accepts `"name"` and serde's map form `{"name": null}`. */
export function wEnum<const V extends readonly [string, ...string[]]>(name: string, variants: V): WireType<V[number]> {
  return wExternalEnum(name, variants, {}) as WireType<V[number]>;
}

/** A data variant of an externally tagged enum: a struct variant or a newtype variant. */
export interface DataVariant<T, I = T> {
  readonly kind: 'struct' | 'newtype';
  readonly type: WireType<T, I>;
}

type DataOutput<D> = { [K in keyof D]: { [P in K]: D[K] extends DataVariant<infer T, unknown> ? T : never } }[keyof D];
type DataInput<D> = { [K in keyof D]: { [P in K]: D[K] extends DataVariant<unknown, infer I> ? I : never } }[keyof D];

/**
 * An externally tagged enum. `variants` lists every variant name in Rust declaration order (the order of
 * the `unknown variant` message); those not in `data` are unit variants.
 */
export function wExternalEnum<
  const V extends readonly [string, ...string[]],
  D extends Record<string, DataVariant<unknown, unknown>>,
>(
  name: string,
  variants: V,
  data: D,
): WireType<Exclude<V[number], keyof D> | DataOutput<D>, Exclude<V[number], keyof D> | DataInput<D>> {
  type T = Exclude<V[number], keyof D> | DataOutput<D>;
  type I = Exclude<V[number], keyof D> | DataInput<D>;
  const units = new Set<string>(variants.filter((v) => !Object.hasOwn(data, v)));
  const unknown = (variant: string): SerdeError => new SerdeError(unknownVariantText(variant, variants));
  const dataOf = (key: string): DataVariant<unknown, unknown> | undefined => (Object.hasOwn(data, key) ? data[key] : undefined);

  const decode = (v: unknown): T => {
    if (typeof v === 'string') {
      if (units.has(v)) return v as T;
      const d = dataOf(v);
      if (d) throw new SerdeError(`invalid type: unit variant, expected ${d.kind} variant`);
      throw unknown(v);
    }
    if (isJsonObject(v)) {
      const keys = Object.keys(v);
      const key = keys[0];
      if (keys.length !== 1 || key === undefined) throw invalidValue(v, 'map with a single key');
      const inner = v[key];
      if (units.has(key)) {
        if (inner !== null) throw invalidType(inner, 'unit');
        return key as T;
      }
      const d = dataOf(key);
      if (!d) throw unknown(key);
      if (d.kind === 'struct' && !isJsonObject(inner) && !Array.isArray(inner)) throw invalidType(inner, 'struct variant');
      return { [key]: d.type.decode(inner) } as T;
    }
    throw invalidType(v, 'string or map');
  };

  const schema = memoSchema((zod: Zod): z.ZodType<T, I> => {
    const unitNames = [...units] as [string, ...string[]];
    const options: z.ZodType[] = unitNames.length > 0 ? [zod.enum(unitNames)] : [];
    for (const [key, d] of Object.entries(data)) options.push(zod.strictObject({ [key]: d.type.zod(zod) }));
    return (options.length === 1 ? options[0] : zod.union(options as [z.ZodType, z.ZodType])) as z.ZodType<T, I>;
  });
  return { zod: schema, expecting: `enum ${name}`, decode };
}

type TaggedOutput<Tag extends string, Vs> = {
  [K in keyof Vs & string]: { [P in Tag]: K } & WireOutput<Vs[K]>;
}[keyof Vs & string];
type TaggedInput<Tag extends string, Vs> = {
  [K in keyof Vs & string]: { [P in Tag]: K } & WireInput<Vs[K]>;
}[keyof Vs & string];

/**
 * An internally tagged enum (`#[serde(tag = "<tag>")]`) of struct variants, keyed by wire variant name
 * in declaration order. The tag is checked before any field: a missing tag gives ``missing field `type` ``,
 * an unknown one the `unknown variant` list. The decoded value carries the tag first.
 */
export function wTaggedEnum<const Tag extends string, Vs extends Record<string, StructType<object, object>>>(
  name: string,
  tag: Tag,
  variants: Vs,
): WireType<TaggedOutput<Tag, Vs>, TaggedInput<Tag, Vs>> {
  type T = TaggedOutput<Tag, Vs>;
  type I = TaggedInput<Tag, Vs>;
  const names = Object.keys(variants);
  const expecting = `internally tagged enum ${name}`;

  /** The wire name of the variant the tag value selects (serde also accepts the variant index). */
  const identify = (t: unknown): string => {
    if (typeof t === 'string') {
      if (Object.hasOwn(variants, t)) return t;
      throw new SerdeError(unknownVariantText(t, names));
    }
    if (typeof t === 'number' && isJsonInteger(t) && t >= 0) {
      const byIndex = names[t];
      if (byIndex !== undefined) return byIndex;
      throw invalidValue(t, `variant index 0 <= i < ${names.length}`);
    }
    throw invalidType(t, 'variant identifier');
  };
  const structOf = (wireName: string): StructType<object, object> => variants[wireName] as StructType<object, object>;

  const decode = (v: unknown): T => {
    if (isJsonObject(v)) {
      if (!Object.hasOwn(v, tag)) throw missingField(tag);
      const wireName = identify(v[tag]);
      return { [tag]: wireName, ...structOf(wireName).decodeObject(v) } as T;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) throw missingField(tag);
      const wireName = identify(v[0]);
      return { [tag]: wireName, ...structOf(wireName).decodeSeq(v.slice(1)) } as T;
    }
    throw invalidType(v, expecting);
  };

  const schema = memoSchema((zod: Zod): z.ZodType<T, I> => {
    const members = Object.entries(variants).map(([wireName, s]) => zod.object({ [tag]: zod.literal(wireName), ...s.shape(zod) }));
    return zod.discriminatedUnion(tag, members as [z.ZodObject, ...z.ZodObject[]]) as unknown as z.ZodType<T, I>;
  });
  return { zod: schema, expecting, decode };
}
