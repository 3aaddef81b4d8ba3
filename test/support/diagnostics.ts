/** Failure output: which test, the last protocol lines both ways and the server's stderr. */
import { onTestFailed } from 'vitest';
import type { McpProcess } from '../../src/testing/index.js';

/**
 * When the current test fails, prints the test's name and the server's diagnostics (last lines sent and received,
 * protocol problems, stderr tail) to stderr, so a CI log explains the failure without a re-run.
 */
export function printDiagnosticsOnFailure(mcp: McpProcess): void {
  onTestFailed(({ task }) => {
    const name = [task.file?.name, task.name].filter(Boolean).join(' > ');
    process.stderr.write(`\n===== server diagnostics for failed test: ${name} (pid ${mcp.pid ?? '?'}) =====\n${mcp.diagnostics()}\n===== end =====\n`);
  });
}
