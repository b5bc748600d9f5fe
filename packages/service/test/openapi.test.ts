// The OpenAPI document describes what every route answers, not only what it accepts: an integrator
// working from the document alone must see the shape of each success answer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { z } from 'zod';
import { accountRiskSchema, conversationRiskSchema, webhookListSchema } from '../src/http/responseSchemas.ts';
import { NOW, startTestService, type TestService } from './helpers.ts';

describe('OpenAPI response schemas', () => {
  let s: TestService;
  before(async () => {
    s = await startTestService('sqlite');
  });
  after(async () => {
    await s?.close();
  });

  it('gives every route a schema for its success answer', async () => {
    const doc = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const missing: string[] = [];
    let operations = 0;
    type Operation = { responses?: Record<string, { content?: Record<string, { schema?: object }> }> };
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      for (const [method, op] of Object.entries(methods)) {
        operations++;
        const where = `${method.toUpperCase()} ${path}`;
        const success = Object.keys(op.responses ?? {}).filter((code) => /^2\d\d$/.test(code));
        if (success.length === 0) missing.push(`${where}: no success status documented`);
        for (const code of success) {
          if (code === '204') continue; // no body by definition
          const content = Object.values(op.responses?.[code]?.content ?? {});
          if (!content.some((c) => c.schema && Object.keys(c.schema).length > 0))
            missing.push(`${where}: ${code} has no response schema`);
        }
      }
    }
    assert.ok(operations > 40, `the document lists the API's routes (found ${operations})`);
    assert.deepEqual(missing, [], 'routes without a success response schema');
  });

  it('documents the risk routes with the shape they answer', async () => {
    const t = NOW();
    const events = [
      { type: 'account', id: 'oa1', time: t, userId: 'oa-adult', age: 34 },
      { type: 'account', id: 'oa2', time: t, userId: 'oa-kid', age: 12 },
      ...['how old are you', 'im 12', 'dont tell your parents, add me on snap'].map((text, i) => ({
        type: 'message',
        id: `om${i}`,
        time: t + 1000 * (i + 1),
        conversationId: 'oc1',
        senderId: i === 1 ? 'oa-kid' : 'oa-adult',
        recipientIds: [i === 1 ? 'oa-adult' : 'oa-kid'],
        text,
      })),
    ];
    assert.equal((await s.ingest(events)).statusCode, 200);
    const check = async (url: string, schema: z.ZodType, key = s.keys.reader) => {
      let res = await s.call('GET', url, key);
      for (let i = 0; i < 50 && res.statusCode === 404; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100)); // detection runs just after the write
        res = await s.call('GET', url, key);
      }
      assert.equal(res.statusCode, 200, res.body);
      const parsed = schema.safeParse(res.json());
      assert.ok(parsed.success, `${url} answers what its schema documents: ${parsed.error?.message}`);
    };
    await check('/v1/conversations/oc1/risk', conversationRiskSchema);
    await check('/v1/accounts/oa-adult/risk', accountRiskSchema);
    await check('/v1/webhooks', webhookListSchema, s.keys.admin);
  });
});
