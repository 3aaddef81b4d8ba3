import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { FIXTURES } from '../helpers/home.js';

type Json = Record<string, unknown>;

/** Responses whose reference schema name differs from the `<Method>Response` convention. */
const RESPONSE_NAMES: Record<string, string> = {
  'thread/start': 'ThreadStartResponse',
  'thread/resume': 'ThreadResumeResponse',
  'thread/fork': 'ThreadForkResponse',
  'thread/archive': 'ThreadArchiveResponse',
  'thread/unarchive': 'ThreadUnarchiveResponse',
  'thread/list': 'ThreadListResponse',
  'thread/read': 'ThreadReadResponse',
  'thread/loaded/list': 'ThreadLoadedListResponse',
  'thread/unsubscribe': 'ThreadUnsubscribeResponse',
  'thread/name/set': 'ThreadSetNameResponse',
  'turn/start': 'TurnStartResponse',
  'turn/interrupt': 'TurnInterruptResponse',
  'model/list': 'ModelListResponse',
};

/**
 * Validates what our server emits against the reference's experimental v2 JSON Schema bundle (copied into
 * fixtures/protocol/ from shared/protocol/). Notifications are matched by method through `ServerNotification`;
 * responses through the method of the request they answer. `initialize` is not in the v2 bundle.
 */
export class ProtocolValidator {
  private readonly ajv: Ajv;
  private readonly notifications = new Map<string, ValidateFunction>();
  private readonly responses = new Map<string, ValidateFunction>();
  private readonly bundle: { definitions: Record<string, Json> };

  constructor() {
    this.bundle = JSON.parse(readFileSync(path.join(FIXTURES, 'protocol', 'codex_app_server_protocol.v2.experimental.schemas.json'), 'utf8'));
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    this.ajv.addSchema({ ...this.bundle, $id: 'bundle' });
    const union = this.bundle.definitions['ServerNotification'] as { oneOf: { properties: { method: { enum: string[] }; params: { $ref: string } } }[] };
    for (const variant of union.oneOf) {
      const method = variant.properties.method.enum[0];
      if (method) this.notifications.set(method, this.ajv.compile({ $ref: `bundle${variant.properties.params.$ref}` }));
    }
  }

  /** Problems found in one message (empty when it validates). */
  check(message: Json, requestMethod: string | undefined): string[] {
    if ('jsonrpc' in message) return ['message carries a jsonrpc field'];
    if (typeof message['method'] === 'string' && !('id' in message)) {
      if (typeof message['emittedAtMs'] !== 'number') return [`notification ${message['method']} lacks emittedAtMs`];
      const validate = this.notifications.get(message['method']);
      if (!validate) return [`notification ${message['method']} is not in the reference protocol`];
      return validate(message['params']) ? [] : this.describe(`notification ${message['method']}`, validate);
    }
    if ('error' in message) {
      const error = message['error'] as Json;
      return typeof error['code'] === 'number' && typeof error['message'] === 'string' && Object.keys(error).length === 2 ? [] : ['malformed error object'];
    }
    if (!requestMethod || requestMethod === 'initialize') return [];
    const name = RESPONSE_NAMES[requestMethod];
    if (!name || !this.bundle.definitions[name]) return [];
    let validate = this.responses.get(name);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `bundle#/definitions/${name}` });
      this.responses.set(name, validate);
    }
    return validate(message['result']) ? [] : this.describe(`response to ${requestMethod}`, validate);
  }

  private describe(what: string, validate: ValidateFunction): string[] {
    return (validate.errors ?? []).slice(0, 5).map((e) => `${what}: ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  }
}
