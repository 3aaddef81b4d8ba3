/**
 * JSON Schema export (`generate-json-schema --out DIR`): draft-07 schemas of every implemented method's
 * params and result (from the method table, {@link METHODS}), the objects and the notifications the server emits.
 *
 * Layout mirrors the reference generator: one bundle `codex_app_server_protocol.v2.schemas.json`
 * (`definitions` keyed by type name, `$ref`s as `#/definitions/<Name>`), plus one self-contained file per
 * type under `v2/` (the initialize types at the top level, as the reference keeps them out of v2).
 * Schemas describe what a client sends (`io: "input"`): fields with serde defaults are not required.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { methodSchemas } from './method-schemas.js';
import { IMPLEMENTED_METHODS, METHODS } from './methods.js';
import { ModelSchema } from './model.js';
import { SERVER_NOTIFICATIONS } from './notifications.js';
import { TurnEnvironmentParamsWire } from './param-enums.js';
import * as params from './param-schemas.js';
import { ReadStateSchema, SessionSourceSchema, ThreadEnvironmentSchema, ThreadSchema, ThreadStatusSchema } from './thread.js';
import { ThreadItemSchema } from './thread-item.js';
import { ThreadListCwdFilterWire } from './thread-params.js';
import { ThreadTokenUsageSchema, TokenUsageBreakdownSchema } from './token-usage.js';
import { CodexErrorInfoSchema, TurnErrorSchema, TurnSchema } from './turn.js';
import { ByteRangeWire, TextElementWire } from './user-input.js';

/** Name of the bundle file, as the reference names it. */
export const SCHEMA_BUNDLE_FILE = 'codex_app_server_protocol.v2.schemas.json';

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';
const ROOT_LEVEL_TYPES = new Set(['InitializeParams', 'InitializeResponse', 'ClientInfo', 'InitializeCapabilities']);

/** Reference type name of each notification's params (`item/agentMessage/delta` → `AgentMessageDeltaNotification`). */
const NOTIFICATION_NAMES: Record<string, string> = {
  error: 'ErrorNotification',
  'thread/started': 'ThreadStartedNotification',
  'thread/status/changed': 'ThreadStatusChangedNotification',
  'thread/archived': 'ThreadArchivedNotification',
  'thread/unarchived': 'ThreadUnarchivedNotification',
  'thread/closed': 'ThreadClosedNotification',
  'thread/name/updated': 'ThreadNameUpdatedNotification',
  'thread/goal/cleared': 'ThreadGoalClearedNotification',
  'thread/tokenUsage/updated': 'ThreadTokenUsageUpdatedNotification',
  'turn/started': 'TurnStartedNotification',
  'turn/completed': 'TurnCompletedNotification',
  'item/started': 'ItemStartedNotification',
  'item/completed': 'ItemCompletedNotification',
  'item/agentMessage/delta': 'AgentMessageDeltaNotification',
  'item/reasoning/summaryTextDelta': 'ReasoningSummaryTextDeltaNotification',
  'item/reasoning/summaryPartAdded': 'ReasoningSummaryPartAddedNotification',
  'item/reasoning/textDelta': 'ReasoningTextDeltaNotification',
  'account/rateLimits/updated': 'AccountRateLimitsUpdatedNotification',
  'remoteControl/status/changed': 'RemoteControlStatusChangedNotification',
  warning: 'WarningNotification',
  deprecationNotice: 'DeprecationNoticeNotification',
  configWarning: 'ConfigWarningNotification',
};

/** Every named schema, built fresh per call (a registry is mutable, so it is never module state). */
function buildRegistry(): z.core.$ZodRegistry<{ id: string }> {
  const registry = z.registry<{ id: string }>();
  const named: [string, z.ZodType][] = [
    ['ClientInfo', params.ClientInfoSchema],
    ['InitializeCapabilities', params.InitializeCapabilitiesSchema],
    ['AskForApproval', params.AskForApprovalSchema],
    ['SandboxMode', params.SandboxModeSchema],
    ['ApprovalsReviewer', params.ApprovalsReviewerSchema],
    ['SandboxPolicy', params.SandboxPolicySchema],
    ['ThreadSortKey', params.ThreadSortKeySchema],
    ['SortDirection', params.SortDirectionSchema],
    ['ThreadSourceKind', params.ThreadSourceKindSchema],
    ['MultiAgentMode', params.MultiAgentModeSchema],
    ['CollaborationMode', params.CollaborationModeSchema],
    ['ReasoningEffort', params.ReasoningEffortSchema],
    ['TurnEnvironmentParams', TurnEnvironmentParamsWire.zod(z)],
    ['ThreadListCwdFilter', ThreadListCwdFilterWire.zod(z)],
    ['UserInput', params.UserInputSchema],
    ['TextElement', TextElementWire.zod(z)],
    ['ByteRange', ByteRangeWire.zod(z)],
    ['Thread', ThreadSchema],
    ['ThreadStatus', ThreadStatusSchema],
    ['ThreadEnvironment', ThreadEnvironmentSchema],
    ['SessionSource', SessionSourceSchema],
    ['ThreadReadState', ReadStateSchema],
    ['Turn', TurnSchema],
    ['TurnError', TurnErrorSchema],
    ['CodexErrorInfo', CodexErrorInfoSchema],
    ['ThreadItem', ThreadItemSchema],
    ['TokenUsageBreakdown', TokenUsageBreakdownSchema],
    ['ThreadTokenUsage', ThreadTokenUsageSchema],
    ['Model', ModelSchema],
  ];
  for (const method of IMPLEMENTED_METHODS) {
    const { params, result } = methodSchemas(method);
    const { typeName } = METHODS[method];
    named.push([`${typeName}Params`, params], [`${typeName}Response`, result]);
  }
  for (const [method, schema] of Object.entries(SERVER_NOTIFICATIONS)) {
    const name = NOTIFICATION_NAMES[method];
    if (!name) throw new Error(`no JSON Schema type name for notification ${method}`);
    named.push([name, schema]);
  }
  for (const [id, schema] of named) registry.add(schema, { id });
  return registry;
}

type JsonObject = { [key: string]: unknown };

/** Builds all definitions (`$ref`s point into `#/definitions/`), sorted by name. */
export function buildJsonSchemaDefinitions(): Record<string, JsonObject> {
  const { schemas } = z.toJSONSchema(buildRegistry(), {
    target: 'draft-07',
    io: 'input',
    uri: (id) => `#/definitions/${id}`,
  });
  const definitions: Record<string, JsonObject> = {};
  for (const id of Object.keys(schemas).sort()) {
    const { $schema: _schema, $id: _id, ...rest } = schemas[id] as JsonObject;
    definitions[id] = { title: id, ...rest };
  }
  return definitions;
}

/** Names referenced (transitively) from `root` through `#/definitions/<Name>`. */
function referencedNames(root: unknown, definitions: Record<string, JsonObject>): Set<string> {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/definitions/')) {
        const name = value.slice('#/definitions/'.length);
        if (!found.has(name)) {
          found.add(name);
          visit(definitions[name]);
        }
      } else {
        visit(value);
      }
    }
  };
  visit(root);
  return found;
}

/**
 * Writes the bundle and one file per type into `outDir` (created if needed) and returns the written
 * paths, bundle first. Existing files of the same names are overwritten; nothing else is touched.
 */
export async function writeJsonSchemas(outDir: string): Promise<string[]> {
  const definitions = buildJsonSchemaDefinitions();
  await mkdir(path.join(outDir, 'v2'), { recursive: true });
  const written: string[] = [];
  const write = async (file: string, value: unknown): Promise<void> => {
    await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
    written.push(file);
  };

  await write(path.join(outDir, SCHEMA_BUNDLE_FILE), {
    $schema: DRAFT_07,
    definitions,
    title: 'CodexAppServerProtocolV2',
    type: 'object',
  });
  for (const [name, schema] of Object.entries(definitions)) {
    const local: Record<string, JsonObject> = {};
    for (const dep of [...referencedNames(schema, definitions)].sort()) {
      const def = definitions[dep];
      if (def) local[dep] = def;
    }
    const file = ROOT_LEVEL_TYPES.has(name) ? path.join(outDir, `${name}.json`) : path.join(outDir, 'v2', `${name}.json`);
    await write(file, { $schema: DRAFT_07, ...schema, ...(Object.keys(local).length > 0 ? { definitions: local } : {}) });
  }
  return written;
}
