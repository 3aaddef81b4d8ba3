/**
 * What the server needs of the protocol at run time: the method table (`methods.ts`: decoders, queue
 * scopes, and the handler types derived from it), request decoding with the reference's error texts and
 * the method-name checks. Importing this module loads no zod and builds no zod schema (a unit
 * test checks the module graph); the schemas, types and JSON Schema export are in `index.ts`, which the
 * server loads only for `generate-json-schema`.
 */
export { type DecodeFailure, type DecodeResult, type DecodedRequest, decodeParams, decodeRequest, unknownMethodMessage } from './decode.js';
export { type ImplementedMethod, type MethodParams, type MethodResult, METHODS, isImplementedMethod, queueKeyOf } from './methods.js';
export { KNOWN_METHOD_NAMES, isKnownMethod } from './method-names.js';
