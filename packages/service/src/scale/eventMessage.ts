// The events a NATS message on the scale path holds: one event or an array of them, as JSON.
import { parseEvent, type LifeguardEvent } from '@lifeguard/core';

/**
 * The message's events, or every problem with them (each named by its place in the array).
 * `indexAlways`: name the place even when the message holds one event (partition messages are
 * always arrays; an ingest message may be a bare event).
 */
export function readEventMessage(
  data: Uint8Array,
  indexAlways: boolean,
): { events: LifeguardEvent[] } | { problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch (err) {
    return { problems: [`(message): not valid JSON: ${(err as Error).message}`] };
  }
  const items = Array.isArray(value) ? value : [value];
  const events: LifeguardEvent[] = [];
  const problems: string[] = [];
  items.forEach((item, i) => {
    const p = parseEvent(item);
    if (p.ok) events.push(p.event);
    else problems.push(...p.error.problems.map((l) => (indexAlways || items.length > 1 ? `[${i}].${l}` : l)));
  });
  return problems.length > 0 ? { problems } : { events };
}
