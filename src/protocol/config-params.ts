/**
 * Params of the config methods: `config/read`, `config/value/write`, `config/batchWrite`, `configRequirements/read`.
 * Field order: the reference Rust structs.
 */
import { wEnum } from './wire-enum.js';
import { optional, required, withDefault, wStruct } from './wire-struct.js';
import { type WireInput, type WireOutput, wBool, wJson, wString, wVec } from './wire-type.js';

/** `MergeStrategy`: `upsert` merges a table into a table, `replace` sets the value. */
export const MergeStrategyWire = wEnum('MergeStrategy', ['replace', 'upsert']);

/** `config/read` params. `cwd` is accepted; project layers are not read (see README). */
export const ConfigReadParamsWire = wStruct('ConfigReadParams', {
  includeLayers: withDefault(wBool, false),
  cwd: optional(wString),
});
export type ConfigReadParams = WireOutput<typeof ConfigReadParamsWire>;
export type ConfigReadParamsInput = WireInput<typeof ConfigReadParamsWire>;

/** `config/value/write` params; `value: null` removes the key. */
export const ConfigValueWriteParamsWire = wStruct('ConfigValueWriteParams', {
  keyPath: required(wString),
  value: required(wJson),
  mergeStrategy: required(MergeStrategyWire),
  filePath: optional(wString),
  expectedVersion: optional(wString),
});
export type ConfigValueWriteParams = WireOutput<typeof ConfigValueWriteParamsWire>;
export type ConfigValueWriteParamsInput = WireInput<typeof ConfigValueWriteParamsWire>;

/** One entry of `config/batchWrite.edits`. */
export const ConfigEditWire = wStruct('ConfigEdit', {
  keyPath: required(wString),
  value: required(wJson),
  mergeStrategy: required(MergeStrategyWire),
});

/** `config/batchWrite` params: the edits apply in order, as one write. */
export const ConfigBatchWriteParamsWire = wStruct('ConfigBatchWriteParams', {
  edits: required(wVec(ConfigEditWire)),
  filePath: optional(wString),
  expectedVersion: optional(wString),
  reloadUserConfig: withDefault(wBool, false),
});
export type ConfigBatchWriteParams = WireOutput<typeof ConfigBatchWriteParamsWire>;
export type ConfigBatchWriteParamsInput = WireInput<typeof ConfigBatchWriteParamsWire>;

/** `configRequirements/read` takes no params (absent or `null`). */
export const ConfigRequirementsReadParamsWire = wStruct('ConfigRequirementsReadParams', {});
