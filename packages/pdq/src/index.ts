// @lifeguard/pdq: known-image matching. PDQ hashing (pure TypeScript), MD5/SHA-256 exact lists,
// named hash banks with a multi-index for Hamming search, decoding through sharp, file-backed
// bank storage and the CLI commands. For on-device use without Node, import '@lifeguard/pdq/pure'.
export * from './pure.ts';
export * from './decode.ts';
export * from './imageHash.ts';
export * from './videoDecode.ts';
export * from './videoHash.ts';
export * from './fileBankStore.ts';
export { registerImageCommands, type ImageCommandOptions } from './cli.ts';
