/**
 * The command line, parsed the way the reference's clap definition reads it (`codex [global options] app-server
 * [options] [command]`): global `-c/--config key=value`, `--enable/--disable FEATURE` before or after `app-server`,
 * `--listen URL`, and the reference's error texts and exit codes for what does not parse. Pure: it reads no
 * environment and touches no file; `main.ts` acts on the result.
 */
import { APP_SERVER_HELP, ROOT_HELP, USAGE_LINE } from './command-line-help.js';

/** What the command line asks for. */
export type CommandLine =
  /** Print `text` on stdout, exit 0. */
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  /** A usage error: print `message` on stderr, exit 2 (clap's exit code for bad arguments). */
  | { kind: 'usage-error'; message: string }
  /** `--listen off`: the reference starts no transport and fails (exit 1). */
  | { kind: 'no-transport' }
  | { kind: 'generate-json-schema'; out: string | null; overrides: GlobalOptions }
  | { kind: 'app-server'; overrides: GlobalOptions; listen: ListenTarget; wsAuth: WsAuthArgs };

/**
 * Where the app server listens. `unix.path` is as given (relative to the working directory; `null` for the default
 * `$CODEX_HOME/app-server-control/app-server-control.sock`); `ws.host` is an IP literal (IPv6 without brackets).
 */
export type ListenTarget = { kind: 'stdio' } | { kind: 'unix'; path: string | null } | { kind: 'ws'; host: string; port: number };

/** The `--ws-*` options as given; `main.ts` checks their combination (reference texts, exit 1) and reads the files. */
export interface WsAuthArgs {
  mode: 'capability-token' | 'signed-bearer-token' | null;
  tokenFile: string | null;
  tokenSha256: string | null;
  /** Any of the signed-bearer-token options was given (`--ws-shared-secret-file`, `--ws-issuer`, …). */
  signedOptions: string[];
}

/** The global options, kept raw: `-c` values are parsed (and may fail, exit 1) when the config is loaded. */
export interface GlobalOptions {
  /** `-c`/`--config` values in command-line order (later ones win). */
  config: string[];
  enable: string[];
  disable: string[];
  /** `--strict-config`: an unknown field in config.toml is an error at start-up. */
  strictConfig?: boolean;
}

const LISTEN_EXPECTED = 'expected `stdio://`, `unix://`, `unix://PATH`, `ws://IP:PORT`, or `off`';

/** Parses `argv` (without `node` and the script). Never throws. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  // Kept from before: `--version` anywhere prints the version (clients probe `<bin> --version`).
  if (argv.includes('--version') || argv.includes('-V')) return { kind: 'version' };
  const globals: GlobalOptions = { config: [], enable: [], disable: [] };
  const positional: string[] = [];
  let listen: string | null = null;
  let help = false;
  let out: string | null = null;
  const wsAuth: WsAuthArgs = { mode: null, tokenFile: null, tokenSha256: null, signedOptions: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const option = splitOption(arg);
    const takeValue = (display: string): string | { error: string } => {
      if (option.inline !== null) return option.inline;
      const next = argv[i + 1];
      if (next === undefined) return { error: `a value is required for '${display}' but none was supplied` };
      i++;
      return next;
    };
    switch (option.name) {
      case '-c':
      case '--config': {
        const value = takeValue('--config <key=value>');
        if (typeof value !== 'string') return usageError(value.error);
        globals.config.push(value);
        break;
      }
      case '--enable':
      case '--disable': {
        const value = takeValue(`${option.name} <FEATURE>`);
        if (typeof value !== 'string') return usageError(value.error);
        (option.name === '--enable' ? globals.enable : globals.disable).push(value);
        break;
      }
      case '--listen': {
        const value = takeValue('--listen <URL>');
        if (typeof value !== 'string') return usageError(value.error);
        if (listen !== null) return usageError("the argument '--listen <URL>' cannot be used multiple times");
        listen = value;
        break;
      }
      case '--stdio':
        if (listen !== null) return usageError("the argument '--listen <URL>' cannot be used multiple times");
        listen = 'stdio://';
        break;
      case '--strict-config':
        globals.strictConfig = true;
        break;
      // Accepted and without effect: this server never sends analytics.
      case '--analytics-default-enabled':
        break;
      case '-o':
      case '--out': {
        const value = takeValue('--out <DIR>');
        if (typeof value !== 'string') return usageError(value.error);
        out = value;
        break;
      }
      case '--ws-auth': {
        const value = takeValue('--ws-auth <MODE>');
        if (typeof value !== 'string') return usageError(value.error);
        if (value !== 'capability-token' && value !== 'signed-bearer-token') {
          // clap's layout for a value outside `possible values` (no usage line).
          return { kind: 'usage-error', message: `error: invalid value '${value}' for '--ws-auth <MODE>'\n  [possible values: capability-token, signed-bearer-token]\n\nFor more information, try '--help'.\n` };
        }
        wsAuth.mode = value;
        break;
      }
      case '--ws-token-file':
      case '--ws-token-sha256': {
        const value = takeValue(option.name === '--ws-token-file' ? '--ws-token-file <PATH>' : '--ws-token-sha256 <HEX>');
        if (typeof value !== 'string') return usageError(value.error);
        if (option.name === '--ws-token-file') wsAuth.tokenFile = value;
        else wsAuth.tokenSha256 = value;
        break;
      }
      case '--ws-shared-secret-file':
      case '--ws-issuer':
      case '--ws-audience':
      case '--ws-max-clock-skew-seconds': {
        const value = takeValue(`${option.name} <VALUE>`);
        if (typeof value !== 'string') return usageError(value.error);
        wsAuth.signedOptions.push(option.name);
        break;
      }
      case '-h':
      case '--help':
        help = true;
        break;
      default:
        if (arg.startsWith('-') && arg !== '-') {
          if (REFERENCE_ONLY_OPTIONS.has(option.name)) return usageError(`'${option.name}' is not supported by this server yet`);
          return usageError(`unexpected argument '${arg}' found`);
        }
        positional.push(arg);
    }
  }

  // No command runs the app server (as before), with the same option checks.
  const [command = 'app-server', sub, ...rest] = positional;
  if (positional.length === 0 && help) return { kind: 'help', text: ROOT_HELP };
  if (command === 'generate-json-schema') return help ? { kind: 'help', text: ROOT_HELP } : { kind: 'generate-json-schema', out, overrides: globals };
  if (command !== 'app-server') return { kind: 'usage-error', message: `Error: unknown command \`${command}\` (expected \`app-server\` or \`generate-json-schema --out DIR\`)\n` };
  if (sub === 'help') return { kind: 'help', text: APP_SERVER_HELP };
  if (sub === 'generate-json-schema') return help ? { kind: 'help', text: APP_SERVER_HELP } : { kind: 'generate-json-schema', out, overrides: globals };
  if (sub !== undefined) return usageError(`unrecognized subcommand '${sub}'`);
  if (rest.length > 0) return usageError(`unexpected argument '${rest[0]}' found`);
  if (help) return { kind: 'help', text: APP_SERVER_HELP };
  const transport = checkListen(listen ?? 'stdio://');
  if ('refused' in transport) return transport.refused;
  return { kind: 'app-server', overrides: globals, listen: transport.target, wsAuth };
}

/**
 * `--listen` values as the reference validates them (`stdio://`, `unix://`, `unix://PATH`, `ws://IP:PORT`, `off`),
 * with the reference's own texts for the rest.
 */
function checkListen(url: string): { target: ListenTarget } | { refused: CommandLine } {
  const invalid = (reason: string) => ({ refused: usageError(`invalid value '${url}' for '--listen <URL>': ${reason}`) });
  if (url === 'stdio://') return { target: { kind: 'stdio' } };
  if (url === 'off') return { refused: { kind: 'no-transport' } };
  if (url.startsWith('unix://')) {
    const raw = url.slice('unix://'.length);
    return { target: { kind: 'unix', path: raw === '' ? null : raw } };
  }
  if (url.startsWith('ws://')) {
    const address = socketAddress(url.slice('ws://'.length));
    if (!address) return invalid(`invalid websocket --listen URL \`${url}\`; expected \`ws://IP:PORT\``);
    return { target: { kind: 'ws', ...address } };
  }
  return invalid(`unsupported --listen URL \`${url}\`; ${LISTEN_EXPECTED}`);
}

/** `IPv4:PORT` or `[IPv6]:PORT`, as Rust's `SocketAddr` parses them (host names are not addresses). */
function socketAddress(text: string): { host: string; port: number } | null {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}):(\d{1,5})$/.exec(text);
  if (v4) {
    const ok = v4.slice(1, 5).every((octet) => Number(octet) <= 255 && !/^0\d/.test(octet)) && Number(v4[5]) <= 65535;
    return ok ? { host: v4.slice(1, 5).join('.'), port: Number(v4[5]) } : null;
  }
  const v6 = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(text);
  if (v6 === null || !v6[1]!.includes(':') || Number(v6[2]) > 65535) return null;
  return { host: v6[1]!, port: Number(v6[2]) };
}

/** Reference options this server does not implement yet: refused by name rather than as unknown. */
const REFERENCE_ONLY_OPTIONS = new Set([
  '--startup-sign-out',
  '--print-startup-config',
  '--startup-client-info',
  '--cloud-skills-snapshot',
  '--code-mode-host',
]);

/** `--name=value` → name and inline value; `-cVALUE` / `-c=VALUE` likewise for the short options that take one. */
function splitOption(arg: string): { name: string; inline: string | null } {
  if (arg.startsWith('--')) {
    const eq = arg.indexOf('=');
    return eq < 0 ? { name: arg, inline: null } : { name: arg.slice(0, eq), inline: arg.slice(eq + 1) };
  }
  if ((arg.startsWith('-c') || arg.startsWith('-o')) && arg.length > 2) {
    const rest = arg.slice(2);
    return { name: arg.slice(0, 2), inline: rest.startsWith('=') ? rest.slice(1) : rest };
  }
  return { name: arg, inline: null };
}

/** clap's error layout: `error: …`, a blank line, the usage, the `--help` hint. */
function usageError(reason: string): CommandLine {
  return { kind: 'usage-error', message: `error: ${reason}\n\n${USAGE_LINE}\n\nFor more information, try '--help'.\n` };
}
