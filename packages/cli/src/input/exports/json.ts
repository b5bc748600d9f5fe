// Small helpers for reading loosely-typed export JSON without trusting its shape.
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

/** Parses a time that must carry its own zone (ISO with offset, or epoch numbers); null if unusable. */
export function isoTime(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const t = Date.parse(value);
  return Number.isFinite(t) && t >= 0 ? t : null;
}
