// `node --import tsx --import ./built-core.mjs`: load the core from packages/core/dist (see built-core-hooks.mjs).
import { register } from 'node:module';

register('./built-core-hooks.mjs', import.meta.url);
