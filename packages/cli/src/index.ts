// @lifeguard/cli as a library: the readers and metrics behind the `lifeguard` command.
export { splitLines, type LineRecord } from './input/lines.ts';
export { readJsonl } from './input/jsonl.ts';
export { readPan, parseMessageRecord, PAN_BASE_TIME } from './input/pan.ts';
export {
  openInput,
  formatFromName,
  formatFromContent,
  type OpenedInput,
  type OpenInputOptions,
} from './input/source.ts';
export { readIdList, readConversationLabels, type ConversationLabel } from './input/labels.ts';
export {
  formatIssue,
  UnusableInputError,
  DEFAULT_MAX_RECORD_BYTES,
  type InputFormat,
  type InputIssue,
  type ReaderItem,
  type ReaderStats,
} from './input/types.ts';
export { precision, recall, fBeta, rocAuc, median, perThousand, NumberColumn, type Confusion } from './metrics.ts';
export { runPipeline, loadModel, type PipelineOptions, type PipelineResult } from './pipeline.ts';
export { evaluate, type EvalOptions, type EvalResult } from './commands/eval.ts';
export { createProgram, registerExtensions } from './program.ts';
