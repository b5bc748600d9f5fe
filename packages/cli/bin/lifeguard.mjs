#!/usr/bin/env node
// Runs the TypeScript sources directly: registers the tsx loader, then starts the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
