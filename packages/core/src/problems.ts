// One way to name a validation problem, for every zod schema in Lifeguard: `path: reason`, with the
// path written as a person reads it (`events[3].attachments[0].kind`), so the CLI, the service and
// on-device mode describe the same mistake in the same words.
import type { z } from 'zod';

/** Field names that read plainly after a dot; anything else is quoted in brackets. */
const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/**
 * A zod issue path as text: array indexes in brackets, plain field names after dots, other keys quoted
 * (`["a b"]`). `prefix` is where the validated value sits (e.g. `events[3]`); an empty path is the
 * prefix itself, or `(root)` without one.
 */
export function problemPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && PLAIN_KEY.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(root)';
}

/** The reason zod gives, in plainer words where its own are unclear. */
function reason(issue: z.core.$ZodIssue): string {
  // zod reports a missing field as a type mismatch with undefined.
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) return 'required field is missing';
  // A bad record key: zod nests the key's own issue, whose message is the useful one.
  if (issue.code === 'invalid_key') return issue.issues[0]?.message ?? issue.message;
  return issue.message;
}

/**
 * zod issues as `path: reason` lines, one per problem; each unknown field is named on its own line
 * (`attachments[0].colour: unknown field`).
 */
export function zodProblems(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys')
      for (const key of issue.keys) out.push(`${problemPath([...issue.path, key], prefix)}: unknown field`);
    else out.push(`${problemPath(issue.path, prefix)}: ${reason(issue)}`);
  }
  return out;
}
