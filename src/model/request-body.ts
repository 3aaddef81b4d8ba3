/** The POST `{base_url}/responses` request: URL, headers and body, in the reference's shape (SPEC §6). */
import type { ModelRequest } from './types.js';

/** `{base_url}/responses`, joined the way the reference joins it (one slash, whatever the base ends with). */
export function responsesUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/responses`;
}

/** The reference's window id for the first (and, for us, only) context window of a thread. */
export function windowId(threadId: string): string {
  return `${threadId}:0`;
}

/** JSON with every non-ASCII character escaped, so it can travel in an HTTP header. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The `x-codex-turn-metadata` payload. Reference behaviour: a root thread's session id is its thread id.
 * Keys in the reference's order; the reference adds workspace/sandbox details we do not have.
 */
export function turnMetadataJson(request: ModelRequest): string {
  return asciiJson({
    installation_id: request.installationId,
    session_id: request.threadId,
    thread_id: request.threadId,
    turn_id: request.turnId,
    window_id: windowId(request.threadId),
    request_kind: request.requestKind ?? 'turn',
  });
}

/** Request headers; `authorization` only when a bearer token is given. */
export function buildResponsesHeaders(request: ModelRequest, bearerToken: string | null): Record<string, string> {
  const headers: Record<string, string> = {
    accept: 'text/event-stream',
    'content-type': 'application/json',
    originator: request.originator,
    'user-agent': request.userAgent,
    'session-id': request.threadId,
    'thread-id': request.threadId,
    'x-client-request-id': request.threadId,
    'x-codex-window-id': windowId(request.threadId),
    'x-codex-turn-metadata': turnMetadataJson(request),
  };
  if (bearerToken !== null) headers.authorization = `Bearer ${bearerToken}`;
  return headers;
}

/**
 * The JSON body. Key order follows the reference's `ResponsesApiRequest` (model, input, tools, tool_choice,
 * parallel_tool_calls, reasoning, store, stream, include, prompt_cache_key, client_metadata); there is no
 * `instructions` (empty, so skipped) and no `previous_response_id`.
 */
export function buildResponsesBody(request: ModelRequest): Record<string, unknown> {
  return {
    model: request.model,
    input: request.input,
    tools: request.tools,
    tool_choice: 'auto',
    parallel_tool_calls: true,
    reasoning: { summary: 'auto' },
    store: false,
    stream: true,
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: request.threadId,
    client_metadata: {
      'x-codex-installation-id': request.installationId,
      session_id: request.threadId,
      thread_id: request.threadId,
      turn_id: request.turnId,
      'x-codex-window-id': windowId(request.threadId),
      'x-codex-turn-metadata': turnMetadataJson(request),
    },
  };
}
