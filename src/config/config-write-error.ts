/** The reference's `ConfigWriteErrorCode` values, as they go on the wire in `error.data.config_write_error_code`. */
export type ConfigWriteErrorCode =
  | 'configLayerReadonly'
  | 'configVersionConflict'
  | 'configValidationError'
  | 'configPathNotFound'
  | 'configSchemaUnknownKey'
  | 'userLayerNotFound';

/** A refused `config/value/write` or `config/batchWrite`: `-32600` with the code in `data` (`server/errors.ts`). */
export class ConfigWriteError extends Error {
  constructor(
    readonly code: ConfigWriteErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigWriteError';
  }
}
