/**
 * Message transport: framing (NDJSON over a byte stream) and the reader/writer decorators every connection
 * uses, whatever carries its bytes. Independent of the server: nothing here imports `server/` or `threads/`.
 */
export { DrainOnCloseReader } from './drain-on-close-reader.js';
export { DEFAULT_MAX_LINE_BYTES, LineSplitter, type LineSplitterOptions } from './line-splitter.js';
export {
  NdjsonMessageReader,
  type DropEvent,
  type DropReason,
  type DropTotals,
  type InputGate,
  type NdjsonReaderOptions,
} from './ndjson-reader.js';
export { InputFlowControl, MAX_PENDING_INPUT_BYTES, MAX_PENDING_REQUESTS, MAX_UNWRITTEN_OUTPUT_BYTES, type BackloggedOutput, type FlowLimits, type PausableInput } from './input-flow-control.js';
export { NdjsonMessageWriter, type NdjsonWriterOptions } from './ndjson-writer.js';
export { encodeMessage } from './wire-format.js';
