/** Public test kit: `codex-app-server-ts/testing`. */
export * from './config-toml.js';
export * from './fake-rollout.js';
export * from './jsonrpc.js';
export * from './mcp-process.js';
export {
  CLOSE_GRACE_MS,
  DEFAULT_READ_TIMEOUT_MS,
  type ExitStatus,
  type McpProcessOptions,
  type ProtocolViolation,
  type ReadOptions,
} from './mcp-process-core.js';
export * from './mock-responses-server.js';
export * from './param-types.js';
export { defaultServerBin } from './server-bin.js';
export * from './temp-home.js';
export { loadSchemaChecker, SchemaChecker, type MessageChecker } from './schema-checker.js';
export { ReadTimeoutError } from './message-inbox.js';
export { WsClient, WsUpgradeRefused, type WsClientOptions, type WsTarget } from './ws-client.js';
