// The guard's saved state: a plain JSON-serialisable object the app stores where it keeps the chats
// (it holds short excerpts of risky messages, as the warnings quote them). Checked on restore so a
// corrupt or foreign value is refused with the field named, instead of half-restoring.
import { z } from 'zod';
import { type EngineSnapshot, zodProblems } from '@lifeguard/core';

export const GUARD_STATE_FORMAT = 'lifeguard-on-device';

const level = z.enum(['none', 'low', 'medium', 'high', 'critical']);

export const guardStateSchema = z.strictObject({
  format: z.literal(GUARD_STATE_FORMAT),
  version: z.literal(1),
  childId: z.string().min(1),
  childAge: z.number().int().min(0).max(130).nullable(),
  warnAt: z.enum(['low', 'medium', 'high', 'critical']),
  /** Per conversation, the highest warning level the app was already told about (isNew). */
  notified: z.record(z.string(), level),
  /** Ids of the latest messages seen, oldest first, so that a message fed twice counts once. */
  recent: z.array(z.string()),
  engine: z.looseObject({ version: z.literal(1) }),
});

export type GuardState = Omit<z.infer<typeof guardStateSchema>, 'engine'> & { engine: EngineSnapshot };

export class GuardStateError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid on-device state: ${problems.join('; ')}`);
    this.name = 'GuardStateError';
  }
}

/** Validates a state read back from the app's storage (a parsed object or its JSON text). */
export function parseGuardState(value: unknown): GuardState {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new GuardStateError([`(root): not JSON (${(error as Error).message})`]);
    }
  }
  const result = guardStateSchema.safeParse(parsed);
  if (!result.success) {
    throw new GuardStateError(zodProblems(result.error.issues));
  }
  return result.data as unknown as GuardState;
}
