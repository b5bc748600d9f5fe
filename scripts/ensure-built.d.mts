/** The repository root (with a trailing slash). */
export const ROOT: string;
/** True when the last build is newer than every one of its sources. */
export function buildIsCurrent(): boolean;
/** Builds (scripts/build.mjs) unless the build is current; waits for a build another test started. */
export function ensureBuilt(): Promise<void>;
