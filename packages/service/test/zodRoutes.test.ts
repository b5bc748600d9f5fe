// Route schemas are zod, and they are the one validation path: a bad request is refused before its
// handler in the one error shape, naming each field by its path, and the OpenAPI document is generated
// from the same schemas, answers included.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { messageDecisionBody, messageDecisionResultSchema, jsonSchema } from '../src/http/schemas.ts';
import { zodValidatorCompiler } from '../src/http/zodRoutes.ts';
import { NOW, startTestService, type TestService } from './helpers.ts';

describe('zod route schemas', () => {
  let s: TestService;
  before(async () => {
    s = await startTestService('sqlite');
  });
  after(async () => {
    await s?.close();
  });

  it('refuses a bad body with 400, naming each bad field by its path in the one error shape', async () => {
    const res = await s.call('POST', '/v1/decisions/message', s.keys.decide, {
      senderId: 'zr-adult',
      text: 'hi',
      attachments: [{ kind: 'image' }, { kind: 'hologram' }],
      record: { id: 'zr-m1', time: NOW(), mood: 'calm' },
    });
    assert.equal(res.statusCode, 400, `a bad body is refused: ${res.body}`);
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['code', 'error', 'problems'], 'the one error shape, nothing more');
    assert.equal(body.code, 'invalid_request', 'the validation error code');
    assert.equal(body.error, 'invalid message decision request', 'the message names what was sent');
    assert.ok(
      body.problems.includes('recipientId: required field is missing'),
      `a missing field is named: ${body.problems.join('; ')}`,
    );
    assert.ok(
      body.problems.some((p: string) => p.startsWith('attachments[1].kind: ')),
      `a bad nested field is named by its full path: ${body.problems.join('; ')}`,
    );
    assert.ok(
      body.problems.includes('record.mood: unknown field'),
      `an unknown nested field is named by its full path: ${body.problems.join('; ')}`,
    );
  });

  it('names a bad query and a bad path as such', async () => {
    const query = await s.call('GET', '/v1/cases?limit=0&colour=red', s.keys.reader);
    assert.equal(query.statusCode, 400, query.body);
    assert.equal(query.json().error, 'invalid query', 'the query is named');
    assert.deepEqual(
      [...query.json().problems].sort(),
      ['colour: unknown field', 'limit: Too small: expected number to be >=1'],
      'each bad query field is named',
    );
    const path = await s.call('GET', `/v1/cases/${'x'.repeat(300)}`, s.keys.reader);
    assert.equal(path.statusCode, 400, path.body);
    assert.equal(path.json().error, 'invalid path', 'the path is named');
    assert.deepEqual(path.json().problems, ['id: must be at most 256 characters'], 'the over-long id is named');
  });

  it('names a bad nested field of an event in a batch by its place: events[i]...', async () => {
    const t = NOW();
    const message = (id: string, attachments: unknown[]) => ({
      type: 'message',
      id,
      time: t,
      conversationId: 'zr-c1',
      senderId: 'zr-a',
      recipientIds: ['zr-b'],
      text: 'hello',
      attachments,
    });
    const res = await s.ingest([message('zr-e0', [{ kind: 'image' }]), message('zr-e1', [{ kind: 'hologram' }])]);
    assert.equal(res.statusCode, 207, `the good event is stored, the bad one named: ${res.body}`);
    const problems: string[] = res.json().results[1].problems;
    assert.ok(
      problems.length === 1 && problems[0]!.startsWith('events[1].attachments[0].kind: '),
      `the bad attachment kind is named by its full path: ${problems.join('; ')}`,
    );
    const none = await s.ingest([message('zr-e2', [{ kind: 'image', colour: 'red' }])]);
    assert.equal(none.statusCode, 400, 'a batch with no valid event stores nothing');
    assert.deepEqual(
      none.json().problems,
      ['events[0].attachments[0].colour: unknown field'],
      'the unknown nested field is named by its full path',
    );
  });

  it("documents a route's body and answers with the schemas it validates with", async () => {
    const doc = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const op = doc.paths['/v1/decisions/message']?.post;
    assert.ok(op, 'the route is documented');
    assert.deepEqual(
      op.responses['200'].content['application/json'].schema,
      jsonSchema(messageDecisionResultSchema, 'output'),
      'the success answer is the zod result schema, as JSON Schema',
    );
    assert.deepEqual(
      op.responses['400'].content['application/json'].schema.required,
      ['error', 'code'],
      'the error answer is the one error shape',
    );
    const requestSchema = op.requestBody.content['application/json'].schema;
    assert.equal(requestSchema.title, 'message decision request', 'the body is named as its errors name it');
    const { title: _title, ...bodySchema } = requestSchema;
    assert.deepEqual(
      bodySchema,
      jsonSchema(messageDecisionBody),
      'the body is the zod schema the route validates with',
    );
    assert.deepEqual(op.security, [{ bearerKey: [] }, { xApiKey: [] }], 'the key may be sent either way');
    assert.equal(doc.components.securitySchemes.xApiKey.name, 'X-Api-Key', 'the X-Api-Key scheme is documented');
  });

  it('refuses at startup a route whose schema is not zod, so no route validates another way', async () => {
    const app = Fastify();
    app.setValidatorCompiler(zodValidatorCompiler);
    app.post('/x', { schema: { body: { type: 'object' } } }, async () => ({}));
    await assert.rejects(
      async () => {
        await app.ready();
      },
      /POST \/x: the body schema must be a zod schema/,
      'a JSON Schema is refused',
    );
    await app.close();
  });
});
