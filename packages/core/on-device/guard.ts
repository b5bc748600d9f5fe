// The on-device guard: an app feeds it the messages of the conversations on this device (sent and
// received), and gets back, per conversation, whether to warn the child, why, and what the child
// can do. Everything stays on the device; the app owns storage (saveState / restore) and decides
// whether to send the text-free signal anywhere.
import {
  DetectionEngine,
  EventValidationError,
  parseEvent,
  type EngineOptions,
  type LifeguardEventInput,
  type RiskLevel,
} from '@lifeguard/core';
import { signalFromReport, type PrivacySignal } from './signal.ts';
import { GUARD_STATE_FORMAT, GuardStateError, parseGuardState, type GuardState } from './state.ts';
import { compareLevels, warningFromReport, type Warning, type WarningLevel } from './warning.ts';

export interface GuardOptions {
  /** The account of the child who uses this device. */
  childId: string;
  /** The child's age in years, if the app knows it (else the engine learns it from the chat). */
  childAge?: number;
  /** Warn from this level up. Default 'medium'. */
  warnAt?: WarningLevel;
  /** Detection settings (thresholds, half-life, a trained model). */
  engine?: EngineOptions;
}

/** A message as the app has it. */
export interface DeviceMessage {
  id: string;
  conversationId: string;
  senderId: string;
  /** Default: none named (the engine infers the other participants of a two-person chat). */
  recipientIds?: string[];
  text: string;
  /** Milliseconds since the epoch or ISO 8601 with an offset. Default: now. */
  time?: number | string;
  /** Attachments by kind only; the guard never sees media. */
  attachments?: { kind: 'image' | 'video' | 'audio' | 'file' }[];
}

export interface GuardUpdate {
  conversationId: string;
  level: RiskLevel;
  /** The warning to show the child, or null when there is none. */
  warning: Warning | null;
  /** The warning is new or its level rose since the app was last told: show it now. */
  isNew: boolean;
  /** The message had been fed before (same id) and was not counted again. */
  duplicate: boolean;
}

/** Message ids remembered to ignore repeats (an app re-rendering a chat feeds it again). */
const RECENT_IDS = 2000;

export class OnDeviceGuard {
  private readonly engine: DetectionEngine;
  private readonly childId: string;
  private readonly childAge: number | null;
  private readonly warnAt: WarningLevel;
  private readonly notified: Map<string, RiskLevel>;
  private readonly recent: Set<string>;

  constructor(options: GuardOptions) {
    this.childId = requireId(options.childId, 'childId');
    this.childAge = options.childAge ?? null;
    this.warnAt = options.warnAt ?? 'medium';
    this.engine = new DetectionEngine(options.engine);
    this.notified = new Map();
    this.recent = new Set();
    if (this.childAge !== null)
      this.feed({
        type: 'account',
        id: `lifeguard-device:${this.childId}`,
        time: Date.now(),
        userId: this.childId,
        age: this.childAge,
      });
  }

  /**
   * Feeds one message, sent or received, in the order they happened. Throws EventValidationError
   * naming each bad field (nothing is counted then).
   */
  observe(message: DeviceMessage): GuardUpdate {
    if (typeof message !== 'object' || message === null)
      throw new EventValidationError('invalid message: expected an object', ['(root): expected an object']);
    const id = message.id;
    const duplicate = typeof id === 'string' && this.recent.has(id);
    if (!duplicate) {
      this.feed({ ...message, type: 'message', time: message.time ?? Date.now() });
      this.remember(id);
    }
    return this.update(message.conversationId, !duplicate);
  }

  /** Declares another account's age when the app knows it (e.g. from its own profiles). */
  declareAge(userId: string, age: number): void {
    this.feed({ type: 'account', id: `lifeguard-device:${userId}:${age}`, time: Date.now(), userId, age });
  }

  /** The current warning for a conversation, or null. */
  warning(conversationId: string): Warning | null {
    const report = this.engine.conversationReport(conversationId);
    if (!report || compareLevels(report.level, this.warnAt) < 0) return null;
    return warningFromReport(report, this.childId);
  }

  /** The text-free signal the app may send to its server for a conversation (null when no risk). */
  signal(conversationId: string): PrivacySignal | null {
    const report = this.engine.conversationReport(conversationId);
    if (!report || report.suspectId === this.childId) return null;
    return signalFromReport(report, this.childId);
  }

  /** Drops what the guard holds about a conversation (the child deleted it). */
  forget(conversationId: string): void {
    this.engine.forgetConversation(conversationId);
    this.notified.delete(conversationId);
  }

  /** Everything needed to carry on after a restart, as a JSON-serialisable object. */
  saveState(): GuardState {
    return {
      format: GUARD_STATE_FORMAT,
      version: 1,
      childId: this.childId,
      childAge: this.childAge,
      warnAt: this.warnAt,
      notified: Object.fromEntries(this.notified),
      recent: [...this.recent],
      engine: this.engine.snapshot(),
    };
  }

  /** A guard from saved state (an object or its JSON text); GuardStateError says what is wrong. */
  static restore(state: unknown, options: Pick<GuardOptions, 'engine'> = {}): OnDeviceGuard {
    const s = parseGuardState(state);
    const guard = new OnDeviceGuard({ childId: s.childId, warnAt: s.warnAt });
    let engine: DetectionEngine;
    try {
      engine = DetectionEngine.restore(s.engine, options.engine);
    } catch (error) {
      throw new GuardStateError([`engine: ${(error as Error).message}`]);
    }
    // The fields are set once here, as the constructor would have from these values.
    Object.assign(guard, { engine, childAge: s.childAge });
    for (const [id, level] of Object.entries(s.notified)) guard.notified.set(id, level);
    for (const id of s.recent) guard.recent.add(id);
    return guard;
  }

  private feed(input: LifeguardEventInput): void {
    const parsed = parseEvent(input);
    if (!parsed.ok) throw parsed.error;
    this.engine.process(parsed.event);
  }

  private remember(id: string): void {
    this.recent.add(id);
    if (this.recent.size > RECENT_IDS) this.recent.delete(this.recent.values().next().value as string);
  }

  private update(conversationId: string, counted: boolean): GuardUpdate {
    const level = this.engine.conversationReport(conversationId)?.level ?? 'none';
    const warning = this.warning(conversationId);
    let isNew = false;
    if (warning && counted && compareLevels(warning.level, this.notified.get(conversationId) ?? 'none') > 0) {
      isNew = true;
      this.notified.set(conversationId, warning.level);
    }
    return { conversationId, level, warning, isNew, duplicate: !counted };
  }
}

function requireId(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} must be a non-empty string`);
  return value;
}
