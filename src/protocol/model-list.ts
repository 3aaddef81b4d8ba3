/**
 * `model/list` params (SPEC §4.10). The `Model` catalogue entry and the result are in `model.ts`, the
 * params' zod schema in `param-schemas.ts`.
 */
import { optional, wStruct } from './wire-struct.js';
import { type WireInput, type WireOutput, wBool, wString, wU32 } from './wire-type.js';

/** `model/list` params; `cursor` is the offset returned as `nextCursor`. */
export const ModelListParamsWire = wStruct('ModelListParams', {
  cursor: optional(wString),
  limit: optional(wU32),
  includeHidden: optional(wBool),
  modelProvider: optional(wString),
});
/** `ModelListParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type ModelListParams = WireOutput<typeof ModelListParamsWire>;
/** What a client may send for `ModelListParams` (serde defaults optional). */
export type ModelListParamsInput = WireInput<typeof ModelListParamsWire>;
