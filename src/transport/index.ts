export { DEFAULT_MAX_LINE_BYTES, LineSplitter, type LineSplitterOptions } from './line-splitter.js';
export {
  NdjsonMessageReader,
  type DropEvent,
  type DropReason,
  type DropTotals,
  type NdjsonReaderOptions,
} from './ndjson-reader.js';
export { NdjsonMessageWriter, type NdjsonWriterOptions } from './ndjson-writer.js';
export { encodeMessage } from './wire-format.js';
