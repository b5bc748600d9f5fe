// Files generated from code: docs/openapi.json, examples/policies/default.json and its JSON Schema.
// `node --import tsx packages/service/src/tools/generate.ts` rewrites them; a test fails when they are stale.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SqliteStorage } from '@lifeguard/storage';
import { buildServer } from '../server.ts';
import { DEFAULT_POLICY, policySchema } from '../policy/policy.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export async function openApiDocument(): Promise<string> {
  const storage = new SqliteStorage({ path: ':memory:' });
  await storage.migrate();
  const app = await buildServer({ storage, webhooks: false, retention: { messageTextDays: 30, intervalMs: 0 } });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
    await storage.close();
  }
}

export function defaultPolicyFile(): string {
  return `${JSON.stringify({ $schema: './policy.schema.json', ...DEFAULT_POLICY }, null, 2)}\n`;
}

export function policyJsonSchema(): string {
  const schema = z.toJSONSchema(policySchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
  return `${JSON.stringify({ ...schema, title: 'Lifeguard safety policy' }, null, 2)}\n`;
}

export async function generatedFiles(): Promise<Record<string, string>> {
  return {
    'docs/openapi.json': await openApiDocument(),
    'examples/policies/default.json': defaultPolicyFile(),
    'examples/policies/policy.schema.json': policyJsonSchema(),
  };
}
