/**
 * The wire protocol of Codex app-server 0.169.0: request params (decoders with the reference's serde error
 * texts, zod schemas, types), the objects, results and notifications the server emits, the method table,
 * and the JSON Schema export. Depends on zod only.
 *
 * Importing this module builds every zod schema. The server imports `runtime.ts` instead (decoding, no
 * zod) and loads this module only for `generate-json-schema`.
 */
export * from './serde-text.js';
export * from './wire-type.js';
export * from './wire-struct.js';
export * from './wire-enum.js';
export * from './param-enums.js';
export * from './user-input.js';
export * from './initialize.js';
export * from './thread-start-params.js';
export * from './thread-params.js';
export * from './turn-params.js';
export * from './account-params.js';
export * from './model-list.js';
export * from './param-schemas.js';
export * from './model.js';
export * from './thread-item.js';
export * from './turn.js';
export * from './thread.js';
export * from './token-usage.js';
export * from './responses.js';
export * from './notifications.js';
export * from './method-names.js';
export * from './methods.js';
export * from './method-schemas.js';
export * from './decode.js';
export * from './json-schema.js';
