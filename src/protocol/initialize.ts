/**
 * The `initialize` handshake (SPEC §2). These types are not in the v2 bundle; the reference keeps them
 * in its root bundle. `initialize {}` fails with ``missing field `clientInfo` ``. The params' zod schemas are
 * in `param-schemas.ts`, the result (`InitializeResponseSchema`) in `responses.ts`.
 */
import { optional, required, withDefault, wStruct } from './wire-struct.js';
import { type WireInput, type WireOutput, wBool, wJson, wMap, wString, wVec } from './wire-type.js';

/** Who is connecting. `name` also becomes the `originator` of the threads this connection creates. */
export const ClientInfoWire = wStruct('ClientInfo', {
  name: required(wString),
  title: optional(wString),
  version: required(wString),
});
/** `ClientInfo` as decoded (serde defaults filled in, unknown fields dropped). */
export type ClientInfo = WireOutput<typeof ClientInfoWire>;

/**
 * Client capabilities. Only `experimentalApi` and `optOutNotificationMethods` (exact notification method
 * names this connection will not receive) change our behaviour; the rest are accepted and type-checked.
 * Field order after the first two is not confirmed (it only matters for array-form params).
 */
export const InitializeCapabilitiesWire = wStruct('InitializeCapabilities', {
  experimentalApi: withDefault(wBool, false),
  optOutNotificationMethods: optional(wVec(wString)),
  requestAttestation: withDefault(wBool, false),
  explicitGatewayOauth: withDefault(wBool, false),
  mcpServerOpenaiFormElicitation: withDefault(wBool, false),
  requiredHumanApproval: withDefault(wBool, false),
  extensions: optional(wMap(wJson)),
});
/** `InitializeCapabilities` as decoded (serde defaults filled in, unknown fields dropped). */
export type InitializeCapabilities = WireOutput<typeof InitializeCapabilitiesWire>;

/** `initialize` params. */
export const InitializeParamsWire = wStruct('InitializeParams', {
  clientInfo: required(ClientInfoWire),
  capabilities: optional(InitializeCapabilitiesWire),
});
/** `InitializeParams` as decoded (serde defaults filled in, unknown fields dropped). */
export type InitializeParams = WireOutput<typeof InitializeParamsWire>;
/** What a client may send for `InitializeParams` (serde defaults optional). */
export type InitializeParamsInput = WireInput<typeof InitializeParamsWire>;
