/**
 * Checks every message the harness receives against the reference app-server's JSON Schema bundle
 * (`codex app-server generate-json-schema --experimental`): responses by the method of the request they answer,
 * notifications by their method (through the `ServerNotification` union), server→client requests by their
 * method's params. Opt-in: pass `messageChecker: await loadSchemaChecker(bundlePath)` to `McpProcess.start`.
 * Needs the `ajv` package (an optional peer dependency of this kit).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { JsonRpcMessage } from './jsonrpc.js';

/** Judges one received message; returns the problems found (empty when it is valid). */
export interface MessageChecker {
  /** `requestMethod` is the method of the request a response answers (undefined for anything else or unknown ids). */
  check(message: JsonRpcMessage, requestMethod: string | undefined): string[];
}

type Json = Record<string, unknown>;
interface Validate {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string; params: unknown }[] | null;
}
interface AjvLike {
  addSchema(schema: object): unknown;
  compile(schema: object): Validate;
}

const INITIALIZE_RESULT_KEYS = ['codexHome', 'platformFamily', 'platformOs', 'userAgent'];

/** `initialize` is not in the v2 bundle; its result shape is fixed by SPEC §2. */
function checkInitializeResult(result: unknown): string[] {
  if (typeof result !== 'object' || result === null) return ['response to initialize: result is not an object'];
  const keys = Object.keys(result).sort();
  const problems: string[] = [];
  if (JSON.stringify(keys) !== JSON.stringify(INITIALIZE_RESULT_KEYS)) problems.push(`response to initialize: keys ${keys.join(',')}`);
  for (const key of INITIALIZE_RESULT_KEYS) {
    if (typeof (result as Json)[key] !== 'string') problems.push(`response to initialize: ${key} is not a string`);
  }
  return problems;
}

/**
 * The legacy `getAuthStatus` is not in the v2 bundle either; its result is the reference's `GetAuthStatusResponse`
 * (`authMethod`: an `AuthMode` or null, `authToken`: string or null, `requiresOpenaiAuth`: bool or null).
 */
function checkGetAuthStatusResult(result: unknown, authModes: readonly string[]): string[] {
  if (typeof result !== 'object' || result === null) return ['response to getAuthStatus: result is not an object'];
  const r = result as Json;
  const keys = Object.keys(r).sort();
  const problems: string[] = [];
  if (JSON.stringify(keys) !== JSON.stringify(['authMethod', 'authToken', 'requiresOpenaiAuth'])) problems.push(`response to getAuthStatus: keys ${keys.join(',')}`);
  if (r['authMethod'] !== null && !authModes.includes(r['authMethod'] as string)) problems.push(`response to getAuthStatus: authMethod ${JSON.stringify(r['authMethod'])}`);
  if (r['authToken'] !== null && typeof r['authToken'] !== 'string') problems.push('response to getAuthStatus: authToken is not a string or null');
  if (r['requiresOpenaiAuth'] !== null && typeof r['requiresOpenaiAuth'] !== 'boolean') problems.push('response to getAuthStatus: requiresOpenaiAuth is not a boolean or null');
  return problems;
}

/**
 * Responses the bundle has no type for, written from the reference's Rust types: `fuzzyFileSearch` answers
 * `{files: FuzzyFileSearchResult[]}`, its session methods `{}`.
 */
const EMPTY_RESPONSE: Json = { type: 'object', additionalProperties: false };
const INLINE_RESPONSES: Readonly<Record<string, Json>> = {
  fuzzyFileSearch: {
    type: 'object',
    required: ['files'],
    additionalProperties: false,
    properties: { files: { type: 'array', items: { $ref: 'bundle#/definitions/FuzzyFileSearchResult' } } },
  },
  'fuzzyFileSearch/sessionStart': EMPTY_RESPONSE,
  'fuzzyFileSearch/sessionUpdate': EMPTY_RESPONSE,
  'fuzzyFileSearch/sessionStop': EMPTY_RESPONSE,
};

const RESPONSE_NAMES: Readonly<Record<string, string>> = {
  'config/value/write': 'ConfigWriteResponse',
  'config/batchWrite': 'ConfigWriteResponse',
  'account/logout': 'LogoutAccountResponse',
};

function pascalMethod(method: string): string {
  return method
    .split('/')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** A {@link MessageChecker} over a reference JSON Schema bundle. */
export class SchemaChecker implements MessageChecker {
  private readonly notifications = new Map<string, Validate>();
  private readonly requestParams = new Map<string, string>();
  private readonly compiled = new Map<string, Validate>();

  /** Params validators of server→client requests, by method (from the reference's `ServerRequest.json`). */
  private readonly serverRequestParams = new Map<string, Validate>();

  constructor(
    private readonly ajv: AjvLike,
    private readonly bundle: { definitions: Record<string, Json> },
    /** The reference's `ServerRequest.json` (`generate-json-schema`): the v2 bundle lacks the approval requests. */
    serverRequests?: { definitions: Record<string, Json>; oneOf: Json[] },
  ) {
    ajv.addSchema({ ...bundle, $id: 'bundle' });
    if (serverRequests) {
      ajv.addSchema({ ...serverRequests, $id: 'server-requests' });
      for (const variant of serverRequests.oneOf as { properties: { method: { enum: string[] }; params?: { $ref?: string } } }[]) {
        const method = variant.properties.method.enum[0];
        const ref = variant.properties.params?.$ref;
        if (method && ref) this.serverRequestParams.set(method, ajv.compile({ $ref: `server-requests${ref}` }));
      }
    }
    const notes = bundle.definitions['ServerNotification'] as { oneOf: { properties: { method: { enum: string[] }; params: { $ref: string } } }[] };
    for (const variant of notes.oneOf) {
      const method = variant.properties.method.enum[0];
      if (method) this.notifications.set(method, ajv.compile({ $ref: `bundle${variant.properties.params.$ref}` }));
    }
    const requests = bundle.definitions['ClientRequest'] as { oneOf: { properties: { method: { enum: string[] }; params?: { $ref?: string } } }[] };
    for (const variant of requests.oneOf) {
      const method = variant.properties.method.enum[0];
      const ref = variant.properties.params?.$ref;
      if (method && ref) this.requestParams.set(method, ref.replace('#/definitions/', ''));
    }
  }

  check(message: JsonRpcMessage, requestMethod: string | undefined): string[] {
    const m = message as unknown as Json;
    if ('jsonrpc' in m) return ['message carries a jsonrpc field'];
    const method = m['method'];
    if (typeof method === 'string' && !('id' in m)) {
      if (typeof m['emittedAtMs'] !== 'number') return [`notification ${method} lacks emittedAtMs`];
      const validate = this.notifications.get(method);
      if (!validate) return [`notification ${method} is not in the reference protocol`];
      return validate(m['params']) ? [] : this.describe(`notification ${method}`, validate);
    }
    if (typeof method === 'string') return this.checkServerRequest(method, m);
    if ('error' in m) {
      const error = m['error'] as Json;
      // The server's errors carry a code and a message (SPEC §1), and an object `data` for the config write errors.
      const extra = Object.keys(error).filter((key) => key !== 'code' && key !== 'message');
      const dataOk = extra.length === 0 || (extra.length === 1 && extra[0] === 'data' && typeof error['data'] === 'object' && error['data'] !== null);
      const shapeOk = typeof error['code'] === 'number' && typeof error['message'] === 'string' && dataOk;
      return shapeOk ? [] : [`malformed error object ${JSON.stringify(error)}`];
    }
    if (requestMethod === undefined) return [`response to unknown request ${JSON.stringify(m['id'])}: no method to check it against`];
    if (requestMethod === 'initialize') return checkInitializeResult(m['result']);
    if (requestMethod === 'getAuthStatus') return checkGetAuthStatusResult(m['result'], this.authModes());
    const inline = INLINE_RESPONSES[requestMethod];
    if (inline) {
      const validate = this.inline(requestMethod, inline);
      return validate(m['result']) ? [] : this.describe(`response to ${requestMethod}`, validate);
    }
    const params = this.requestParams.get(requestMethod);
    // Responses not named after their params: the two config writes share one, and param-less methods are named
    // after the method (`configRequirements/read` → `ConfigRequirementsReadResponse`).
    const name = RESPONSE_NAMES[requestMethod] ?? params?.replace(/Params$/, 'Response') ?? `${pascalMethod(requestMethod)}Response`;
    if (!name || !this.bundle.definitions[name]) return [`response to ${requestMethod}: no ${name ?? 'response'} schema in the reference bundle`];
    const validate = this.definition(name);
    return validate(m['result']) ? [] : this.describe(`response to ${requestMethod}`, validate);
  }

  /** The `AuthMode` values of the bundle (`apikey`, `chatgpt`, …). */
  private authModes(): string[] {
    const mode = this.bundle.definitions['AuthMode'] as { oneOf?: { enum?: string[] }[] } | undefined;
    return (mode?.oneOf ?? []).flatMap((variant) => variant.enum ?? []);
  }

  private checkServerRequest(method: string, m: Json): string[] {
    const id = m['id'];
    if (typeof id !== 'number' && typeof id !== 'string') return [`server request ${method} has id ${JSON.stringify(id)}`];
    const known = this.serverRequestParams.get(method);
    if (known) return known(m['params']) ? [] : this.describe(`server request ${method}`, known);
    const name = `${method
      .split('/')
      .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
      .join('')}Params`;
    if (!this.bundle.definitions[name]) return [`server request ${method} has no ${name} schema in the reference bundle`];
    const validate = this.definition(name);
    return validate(m['params']) ? [] : this.describe(`server request ${method}`, validate);
  }

  private inline(method: string, schema: Json): Validate {
    let validate = this.compiled.get(`inline:${method}`);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(`inline:${method}`, validate);
    }
    return validate;
  }

  private definition(name: string): Validate {
    let validate = this.compiled.get(name);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `bundle#/definitions/${name}` });
      this.compiled.set(name, validate);
    }
    return validate;
  }

  private describe(what: string, validate: Validate): string[] {
    return (validate.errors ?? []).slice(0, 5).map((e) => `${what}: ${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }
}

/**
 * Loads a schema bundle (e.g. `codex_app_server_protocol.v2.experimental.schemas.json`) into a {@link SchemaChecker}.
 * Server→client requests (approvals) are checked against `ServerRequest.json` when it sits next to the bundle
 * (`codex app-server generate-json-schema --experimental` writes both), or against `serverRequestsPath`.
 */
export async function loadSchemaChecker(bundlePath: string, serverRequestsPath = join(dirname(bundlePath), 'ServerRequest.json')): Promise<SchemaChecker> {
  const bundle = JSON.parse(await readFile(bundlePath, 'utf8')) as { definitions: Record<string, Json> };
  const serverRequests = await readFile(serverRequestsPath, 'utf8').then(
    (text) => JSON.parse(text) as { definitions: Record<string, Json>; oneOf: Json[] },
    () => undefined,
  );
  const { Ajv } = (await import('ajv')) as unknown as { Ajv: new (options: object) => AjvLike };
  return new SchemaChecker(new Ajv({ strict: false, allErrors: true, validateFormats: false }), bundle, serverRequests);
}
