import { readConfigRequirements } from '../../config/config-service.js';
import type { Handler, RequestContext } from '../context.js';

/** `config/read`: the effective config with its origins; `layers` only when asked for. */
export const handleConfigRead: Handler<'config/read'> = async (params, cx) => ({ result: await cx.config.read(params.includeLayers) });

/** `config/value/write`: one edit of the user's config.toml, in place; new threads take the new defaults. */
export const handleConfigValueWrite: Handler<'config/value/write'> = async (params, cx) => {
  const result = await cx.config.write([{ keyPath: params.keyPath, value: params.value, mergeStrategy: params.mergeStrategy }], params.filePath ?? null, params.expectedVersion ?? null);
  await refreshDefaults(cx);
  return { result };
};

/** `config/batchWrite`: the edits in order, as one write (all or nothing). Loaded threads are not reloaded. */
export const handleConfigBatchWrite: Handler<'config/batchWrite'> = async (params, cx) => {
  const result = await cx.config.write(params.edits, params.filePath ?? null, params.expectedVersion ?? null);
  await refreshDefaults(cx);
  return { result };
};

/** The reference reads config.toml for every new thread: the defaults follow the file. */
async function refreshDefaults(cx: RequestContext): Promise<void> {
  const defaults = await cx.config.threadDefaults();
  if (defaults) cx.threads.updateDefaults(defaults);
}

/** `configRequirements/read`: no requirements are ever configured for this server. */
export const handleConfigRequirementsRead: Handler<'configRequirements/read'> = () => ({ result: readConfigRequirements() });
