// @lifeguard/core: the pure detection core. No I/O and no platform APIs, so the same code
// runs in the service, the CLI, a browser or an app (on-device mode).
// Exported by name, so that the public API is this list and a new export in a module is a choice.
export {
  LIMITS,
  unstorableReason,
  storable,
  idSchema,
  timeSchema,
  ageBandSchema,
  accountEventSchema,
  messageEventSchema,
  contactActionSchema,
  contactEventSchema,
  eventSchema,
  EVENT_TYPES,
  EventValidationError,
  parseEvent,
  toMillis,
  eventJsonSchema,
  type AgeBand,
  type ContactAction,
  type AccountEvent,
  type MessageEvent,
  type ContactEvent,
  type LifeguardEvent,
  type LifeguardEventInput,
  type ParseResult,
} from './events.ts';
export { problemPath, zodProblems } from './problems.ts';
export {
  SIGNAL_KINDS,
  GROOMING_STAGES,
  type SignalKind,
  type GroomingStage,
  type RiskLevel,
  type SignalMatch,
  type Evidence,
  type AgeSource,
  type ParticipantView,
  type SextortionView,
  type ConversationRiskReport,
  type ActorRiskReport,
  type FanOutView,
  type Alert,
} from './reports.ts';
export { normalize, tokenize, type NormalizedText, type TokenStream } from './normalize.ts';
export { detectSignals } from './signals.ts';
export { LATIN_LOOKALIKES } from './lookalikes.ts';
export { DetectionEngine, type EngineOptions, type EngineSnapshot, type EngineStats } from './engine.ts';
export {
  ACCOUNT_FACT_BOUNDS,
  OUTSIDE_COUNTS,
  emptyAccountFacts,
  mergeAccountFacts,
  type AccountFacts,
  type OutsideCounts,
  type OutsideFanOutEntry,
  type RiskyConversationFact,
} from './outsideFacts.ts';
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
export { WORDING_TOP, WordingScorer, validateWordingModel, wordingOf, type WordingModel } from './wording.ts';
export { trainWording, type WordingExample, type WordingTrainOptions } from './wording-train.ts';
export { DEFAULT_WORDING } from './wording-default.ts';
