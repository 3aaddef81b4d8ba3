import { readConfigRequirements } from '../../config/config-service.js';
import type { Handler } from '../context.js';

/** `config/read`: the effective config with its origins; `layers` only when asked for. */
export const handleConfigRead: Handler<'config/read'> = async (params, cx) => ({ result: await cx.config.read(params.includeLayers) });

/** `config/value/write`: one edit of the user's config.toml, in place. */
export const handleConfigValueWrite: Handler<'config/value/write'> = async (params, cx) => ({
  result: await cx.config.write([{ keyPath: params.keyPath, value: params.value, mergeStrategy: params.mergeStrategy }], params.filePath ?? null, params.expectedVersion ?? null),
});

/** `config/batchWrite`: the edits in order, as one write (all or nothing). Loaded threads are not reloaded. */
export const handleConfigBatchWrite: Handler<'config/batchWrite'> = async (params, cx) => ({
  result: await cx.config.write(params.edits, params.filePath ?? null, params.expectedVersion ?? null),
});

/** `configRequirements/read`: no requirements are ever configured for this server. */
export const handleConfigRequirementsRead: Handler<'configRequirements/read'> = () => ({ result: readConfigRequirements() });
