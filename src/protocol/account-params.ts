/**
 * Params of the account methods: `account/read`, the legacy `getAuthStatus` and `account/rateLimits/read`. Field
 * order: the reference Rust structs.
 */
import { wEnum } from './wire-enum.js';
import { optional, required, withDefault, wStruct } from './wire-struct.js';
import { type WireInput, type WireOutput, wBool, wString } from './wire-type.js';

/** `account/read` params; `refreshToken` (`#[serde(default)]`) asks for a token refresh, which has no effect here. */
export const GetAccountParamsWire = wStruct('GetAccountParams', {
  refreshToken: withDefault(wBool, false),
});
/** `GetAccountParams` as decoded. */
export type GetAccountParams = WireOutput<typeof GetAccountParamsWire>;
/** What a client may send for `GetAccountParams`. */
export type GetAccountParamsInput = WireInput<typeof GetAccountParamsWire>;

/** Legacy `getAuthStatus` params. */
export const GetAuthStatusParamsWire = wStruct('GetAuthStatusParams', {
  includeToken: optional(wBool),
  refreshToken: optional(wBool),
});
/** `GetAuthStatusParams` as decoded. */
export type GetAuthStatusParams = WireOutput<typeof GetAuthStatusParamsWire>;
/** What a client may send for `GetAuthStatusParams`. */
export type GetAuthStatusParamsInput = WireInput<typeof GetAuthStatusParamsWire>;

/** `account/rateLimits/read` params; the whole object is optional (the reference reads `Option<…>`). */
export const GetAccountRateLimitsParamsWire = wStruct('GetAccountRateLimitsParams', {
  excludeResetCreditDetails: withDefault(wBool, false),
  supportsLunaReserve: withDefault(wBool, false),
});
/** `GetAccountRateLimitsParams` as decoded. */
export type GetAccountRateLimitsParams = WireOutput<typeof GetAccountRateLimitsParamsWire>;
/** What a client may send for `GetAccountRateLimitsParams`. */
export type GetAccountRateLimitsParamsInput = WireInput<typeof GetAccountRateLimitsParamsWire>;

/** `LoginAccountParams.type`: the login methods the reference knows (only `apiKey` is served here). */
export const LoginTypeWire = wEnum('LoginAccountParams', ['apiKey', 'chatgpt', 'chatgptDeviceCode', 'chatgptAuthTokens', 'amazonBedrock', 'amazonBedrockAccessKeys']);

/**
 * `account/login/start` params, an internally tagged enum on `type`; its variants' fields are read as options and
 * the `apiKey` variant's required `apiKey` is checked by the handler (same serde text).
 */
export const LoginAccountParamsWire = wStruct('LoginAccountParams', {
  type: required(LoginTypeWire),
  apiKey: optional(wString),
});

/** `account/logout` takes no params. */
export const LogoutAccountParamsWire = wStruct('LogoutAccountParams', {});
