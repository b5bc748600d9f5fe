// A quick check for the common, plainly valid message and contact events: ingestion validates every
// event, and zod's general parser cost more per message than the rest of the request handling. It only
// ever accepts: anything it is not sure of (another type, a string time, attachments, any doubtful field)
// returns null and zod decides, so problems keep their one wording and paths. What it accepts, zod accepts
// with the same result (the test compares both on valid and broken events).
import { LIMITS, unstorableReason, type LifeguardEvent } from './events.ts';

const MESSAGE_KEYS = new Set(['type', 'id', 'time', 'conversationId', 'senderId', 'recipientIds', 'text']);
const CONTACT_KEYS = new Set(['type', 'id', 'time', 'action', 'actorId', 'targetId', 'reason', 'conversationId']);
const CONTACT_ACTIONS = new Set(['friend_request', 'friend_accept', 'unfriend', 'block', 'report']);

const isId = (v: unknown): v is string =>
  typeof v === 'string' && v.length >= 1 && v.length <= LIMITS.idLength && unstorableReason(v) === null;

/** Epoch milliseconds as timeSchema's number branch takes them; ISO strings are left to zod. */
const isEpochMs = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 8.64e15;

/** Own keys all among `allowed`, on a plain object (as JSON.parse makes them). */
function onlyKeys(value: object, allowed: ReadonlySet<string>): boolean {
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}

/** The event as eventSchema parses it, when it is a plainly valid message or contact event; else null. */
export function quickEvent(value: unknown): LifeguardEvent | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.type === 'message') {
    if (!onlyKeys(v, MESSAGE_KEYS)) return null;
    const { id, time, conversationId, senderId, recipientIds, text } = v;
    if (!isId(id) || !isEpochMs(time) || !isId(conversationId) || !isId(senderId)) return null;
    if (typeof text !== 'string' || text.length > LIMITS.textLength || unstorableReason(text) !== null) return null;
    let recipients: string[];
    if (!('recipientIds' in v)) recipients = [];
    else {
      if (!Array.isArray(recipientIds) || recipientIds.length > LIMITS.recipients) return null;
      for (const r of recipientIds) if (!isId(r)) return null;
      recipients = recipientIds.slice();
    }
    // Keys in the schema's order, as zod's output has them (the stored body keeps this order).
    return { type: 'message', id, time, conversationId, senderId, recipientIds: recipients, text };
  }
  if (v.type === 'contact') {
    if (!onlyKeys(v, CONTACT_KEYS)) return null;
    const { id, time, action, actorId, targetId, reason, conversationId } = v;
    if (!isId(id) || !isEpochMs(time) || !isId(actorId) || !isId(targetId)) return null;
    if (typeof action !== 'string' || !CONTACT_ACTIONS.has(action)) return null;
    const event: Record<string, unknown> = { type: 'contact', id, time, action, actorId, targetId };
    if ('reason' in v) {
      if (typeof reason !== 'string' || reason.length > LIMITS.reasonLength || unstorableReason(reason) !== null)
        return null;
      event.reason = reason;
    }
    if ('conversationId' in v) {
      if (!isId(conversationId)) return null;
      event.conversationId = conversationId;
    }
    return event as LifeguardEvent;
  }
  return null;
}
