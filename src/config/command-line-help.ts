/** Help texts, laid out like the reference's (`codex app-server --help`: clap's long help), for what this server accepts. */

const BIN = 'codex-app-server-ts';

export const USAGE_LINE = `Usage: ${BIN} app-server [OPTIONS] [COMMAND]`;

const GLOBAL_OPTIONS = `  -c, --config <key=value>
          Override a configuration value that would otherwise be loaded from \`$CODEX_HOME/config.toml\`.
          Use a dotted path (\`foo.bar.baz\`) to override nested values. The \`value\` portion is parsed
          as TOML. If it fails to parse as TOML, the raw string is used as a literal.
          
          Examples: - \`-c model="o3"\` - \`-c 'sandbox_mode="workspace-write"'\` - \`-c
          model_providers.local.base_url=http://127.0.0.1:8080/v1\`

      --enable <FEATURE>
          Enable a feature (repeatable). Equivalent to \`-c features.<name>=true\`

      --disable <FEATURE>
          Disable a feature (repeatable). Equivalent to \`-c features.<name>=false\``;

export const APP_SERVER_HELP = `[experimental] Run the app server or related tooling

${USAGE_LINE}

Commands:
  generate-json-schema  [experimental] Generate JSON Schema for the app server protocol
  help                  Print this message or the help of the given subcommand(s)

Options:
${GLOBAL_OPTIONS}

      --listen <URL>
          Transport endpoint URL. Supported values: \`stdio://\` (default), \`unix://\`, \`unix://PATH\`,
          \`ws://IP:PORT\`, \`off\`
          
          [default: stdio://]

      --stdio
          Use stdio as the transport (equivalent to \`--listen stdio://\`)

      --analytics-default-enabled
          Accepted for compatibility; this server sends no analytics

      --ws-auth <MODE>
          Authentication mode for incoming WebSocket connections
          
          [possible values: capability-token]

      --ws-token-file <PATH>
          Absolute path to the capability-token file

      --ws-token-sha256 <HEX>
          Hex-encoded SHA-256 digest of the capability token

  -h, --help
          Print help
`;

export const ROOT_HELP = `A TypeScript reimplementation of the Codex app-server (JSON-RPC over stdio)

Usage: ${BIN} [OPTIONS] <COMMAND>

Commands:
  app-server            Run the app server (\`${BIN} app-server --help\` for its options)
  generate-json-schema  Generate JSON Schema for the app server protocol (--out DIR)

Options:
${GLOBAL_OPTIONS}

  -h, --help
          Print help

  -V, --version
          Print version
`;
