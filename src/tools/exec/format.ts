/** The text `exec_command` / `write_stdin` return to the model, in the reference's layout. */
import type { Collected } from './run.js';
import { effectivePolicy, formattedTruncateText, type OutputPolicy } from './truncate.js';

export interface ChunkReport {
  chunkId: string;
  wallTimeMs: number;
  /** Set when the process has exited (then `sessionId` is not shown). */
  exitCode: number | null;
  sessionId: string | null;
  output: Collected;
  /** The call's `max_output_tokens`, resolved against the model's policy. */
  maxOutputTokens: number | undefined;
  modelPolicy: OutputPolicy;
}

export function formatChunk(report: ChunkReport): string {
  const lines = [`Chunk ID: ${report.chunkId}`, `Wall time: ${(report.wallTimeMs / 1000).toFixed(4)} seconds`];
  if (report.exitCode !== null) lines.push(`Process exited with code ${report.exitCode}`);
  else if (report.sessionId !== null) lines.push(`Process running with session ID ${report.sessionId}`);
  const { text, omittedBytes, originalBytes } = report.output;
  const originalTokens = Math.ceil(originalBytes / 4);
  lines.push(`Original token count: ${originalTokens}`);
  lines.push('Output:');
  const policy = effectivePolicy(report.maxOutputTokens, report.modelPolicy);
  // When the 1 MiB buffer dropped bytes, the header counts the original output and names the omission instead of
  // the line count (as the reference prints it).
  const header = omittedBytes > 0 ? { originalTokens, secondLine: `... ${omittedBytes} bytes omitted ...` } : undefined;
  return `${lines.join('\n')}\n${formattedTruncateText(text, policy, header)}`;
}

/** `exec_command failed: CreateProcess { message: "Rejected(\"<reason>\")" }`: Rust's Debug of the nested error. */
export function createProcessRejected(reason: string): string {
  const inner = `Rejected(${JSON.stringify(reason)})`;
  return `exec_command failed: CreateProcess { message: ${JSON.stringify(inner)} }`;
}

/** Clamps of the reference (tool descriptions: "effective range is 250-30000 ms"; empty polls 5000-300000 ms). */
export const MIN_YIELD_MS = 250;
export const MAX_YIELD_MS = 30_000;
export const MIN_EMPTY_POLL_MS = 5_000;
export const MAX_EMPTY_POLL_MS = 300_000;
export const DEFAULT_EXEC_YIELD_MS = 10_000;
export const DEFAULT_WRITE_YIELD_MS = 250;

export const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));
