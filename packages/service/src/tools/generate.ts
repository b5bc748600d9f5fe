// Rewrites the generated files (OpenAPI document, default policy and its schema).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT, generatedFiles } from './generated.ts';

for (const [path, text] of Object.entries(await generatedFiles())) {
  const full = join(REPO_ROOT, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  console.log(`wrote ${path}`);
}
