// @lifeguard/core/on-device: the detection core shaped for apps on a child's device. Pure (no
// Node or DOM APIs, no network): runs in browsers, React Native (Hermes) and browser extensions.
// See docs/on-device.md.
export { OnDeviceGuard, type DeviceMessage, type GuardOptions, type GuardUpdate } from './guard.ts';
export {
  CHILD_REASONS,
  WARNING_LEVELS,
  compareLevels,
  type Warning,
  type WarningLevel,
  type WarningReason,
} from './warning.ts';
export { privacySignalSchema, type PrivacySignal } from './signal.ts';
export { GUARD_STATE_FORMAT, GuardStateError, parseGuardState, type GuardState } from './state.ts';
export {
  EventValidationError,
  SIGNAL_KINDS,
  GROOMING_STAGES,
  type RiskLevel,
  type SignalKind,
  type GroomingStage,
} from '@lifeguard/core';
