/**
 * The zod side of the method table: the params and result schemas of each implemented method, for the
 * JSON Schema export and tests. Schema side only: importing this module loads zod, so the server's request
 * path (`runtime.ts`) never imports it.
 */
import { z } from 'zod';
import { type ImplementedMethod, type MethodParams, type MethodParamsInput, type MethodResultSchema, METHODS, type ResultSchemas } from './methods.js';
import * as configSchemas from './config-schemas.js';
import * as discoverySchemas from './discovery-schemas.js';
import * as historySchemas from './history-schemas.js';
import * as threadMetadataSchemas from './thread-metadata-schemas.js';
import * as modelSchemas from './model.js';
import * as responseSchemas from './responses.js';

const RESULT_SCHEMAS: ResultSchemas = { ...responseSchemas, ...modelSchemas, ...configSchemas, ...discoverySchemas, ...historySchemas, ...threadMetadataSchemas };

/** The schemas of one method. Every call returns the same schema objects (wire types memoise theirs). */
export interface MethodSchemas<M extends ImplementedMethod> {
  /** Decoded params: parsing a value the decoder accepted gives an equal value. */
  readonly params: z.ZodType<MethodParams<M>, MethodParamsInput<M>>;
  readonly result: MethodResultSchema<M>;
}

/** The params and result schemas of `method`, built on first use. */
export function methodSchemas<M extends ImplementedMethod>(method: M): MethodSchemas<M> {
  const spec = METHODS[method];
  return { params: spec.params.zod(z), result: spec.result(RESULT_SCHEMAS) };
}
