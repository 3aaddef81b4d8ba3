// Bundles the server entrypoint into one ESM file (dist/cli.js) so start-up reads one file instead of
// resolving and loading ~150 modules. Native addons stay external; the library exports (dist/testing, …)
// remain tsc's per-module output.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  external: ['better-sqlite3', 'fs-ext'],
  // Bundled CommonJS dependencies (pino, vscode-jsonrpc) call require() for Node built-ins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
