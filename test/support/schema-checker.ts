/** The reference JSON Schema checker every test harness turns on (one per worker, compiled once). */
import path from 'node:path';
import { loadSchemaChecker, type SchemaChecker } from '../../src/testing/index.js';
import { FIXTURES } from './paths.js';

/** The reference's experimental v2 bundle (copied into fixtures/protocol/ from shared/protocol/). */
export const REFERENCE_SCHEMA_BUNDLE = path.join(FIXTURES, 'protocol', 'codex_app_server_protocol.v2.experimental.schemas.json');

let checker: Promise<SchemaChecker> | null = null;

export function referenceSchemaChecker(): Promise<SchemaChecker> {
  checker ??= loadSchemaChecker(REFERENCE_SCHEMA_BUNDLE);
  return checker;
}
