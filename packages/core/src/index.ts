// @lifeguard/core: the pure detection core. No I/O and no platform APIs, so the same code
// runs in the service, the CLI, a browser or an app (on-device mode).
export * from './events.ts';
export * from './reports.ts';
export { normalize, tokenize, type NormalizedText, type TokenStream } from './normalize.ts';
export { detectSignals } from './signals.ts';
export { DetectionEngine, type EngineOptions, type EngineSnapshot, type EngineStats } from './engine.ts';
export {
  CONVERSATION_FEATURES,
  DEFAULT_MODEL,
  trainModel,
  scoreFeatures,
  validateModel,
  type RiskModel,
  type TrainingRow,
  type TrainOptions,
} from './model.ts';
