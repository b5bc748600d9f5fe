// The parts of @lifeguard/pdq with no Node imports: hashing, hex, Hamming distance, the
// multi-index, banks, the hash-list parser and the in-memory store. Apps hashing on device
// import '@lifeguard/pdq/pure'; everything here runs in a browser or a mobile JS runtime.
export * from './hex.ts';
export * from './hamming.ts';
export * from './pdq.ts';
export * from './multiIndex.ts';
export * from './hashList.ts';
export * from './bank.ts';
export * from './bankStore.ts';
export * from './random.ts';
export * from './vpdq.ts';
