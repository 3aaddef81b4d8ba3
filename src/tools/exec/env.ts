/**
 * The environment of a command, as the reference 0.169 builds it (seen with `env` inside its commands): the
 * server's whole environment (its default `shell_environment_policy` strips nothing, not even `*_KEY` / `*_TOKEN`),
 * plus the thread's identifiers and the unified-exec defaults that keep output plain (no colour, no pager).
 */
export const CODEX_VERSION = '0.169.0';

const UNIFIED_EXEC_ENV: ReadonlyArray<[string, string]> = [
  ['NO_COLOR', '1'],
  ['TERM', 'dumb'],
  ['LANG', 'C.UTF-8'],
  ['LC_CTYPE', 'C.UTF-8'],
  ['LC_ALL', 'C.UTF-8'],
  ['COLORTERM', ''],
  ['PAGER', 'cat'],
  ['GIT_PAGER', 'cat'],
  ['GH_PAGER', 'cat'],
  ['CODEX_CI', '1'],
];

export interface CommandEnvRequest {
  serverEnv: Readonly<Record<string, string | undefined>>;
  threadId: string;
  callId: string;
  /** True when the sandbox has no network (the reference then sets CODEX_SANDBOX_NETWORK_DISABLED=1). */
  networkDisabled: boolean;
}

export function commandEnv(request: CommandEnvRequest): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.serverEnv)) if (value !== undefined) env[key] = value;
  env['CODEX_APPLY_PATCH_PRESERVE_LINE_ENDINGS'] = '1';
  env['CODEX_SESSION_ID'] = request.threadId;
  env['CODEX_THREAD_ID'] = request.threadId;
  env['CODEX_TOOL_CALL_ID'] = request.callId;
  env['CODEX_VERSION'] = CODEX_VERSION;
  if (request.networkDisabled) env['CODEX_SANDBOX_NETWORK_DISABLED'] = '1';
  for (const [key, value] of UNIFIED_EXEC_ENV) env[key] = value;
  return env;
}
