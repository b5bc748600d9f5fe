/** Writes the self-contained demo page into outDir and returns the file's path. */
export function buildDemo(outDir?: string): Promise<string>;
