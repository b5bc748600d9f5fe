// Risk models in the service: loading and checking model files, a model per tenant, every score in a
// case naming its model, and account-level (fan-out) cases built from the real engine's reports.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODEL, type RiskModel } from '@lifeguard/core';
import { caseQueueFacts } from '@lifeguard/storage';
import { loadModelFile, loadServiceModels, modelForTenant, ModelError } from '../src/engine/models.ts';
import { queueItem } from '../src/console/queueItem.ts';
import { NOW, startTestService, type TestService } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'lifeguard-models-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** The built-in model, named, with every weight at a third: it scores the same conversation lower. */
const STRICT: RiskModel = {
  ...DEFAULT_MODEL,
  id: 'acme-strict-v2',
  weights: DEFAULT_MODEL.weights.map((w) => w / 3),
  bias: -3.5,
};

describe('model files', () => {
  it('loads a valid model and keeps its id', () => {
    const m = loadModelFile(file('strict.json', STRICT));
    assert.equal(m.id, 'acme-strict-v2', 'the id in the file');
    assert.equal(m.bias, -3.5, 'the weights of the file');
  });

  it('names a model without an id after its file and content, so different files never share an id', () => {
    const a = loadModelFile(file('trained.json', { ...DEFAULT_MODEL, weights: [...DEFAULT_MODEL.weights], bias: -4 }));
    const b = loadModelFile(
      file('trained2.json', { ...DEFAULT_MODEL, weights: [...DEFAULT_MODEL.weights], bias: -4.5 }),
    );
    assert.match(a.id ?? '', /^trained-[0-9a-f]{8}$/, `derived id: ${a.id}`);
    assert.notEqual(a.id?.slice(-8), b.id?.slice(-8), 'different weights, different id');
  });

  it('refuses unusable files with the file and the problem named', () => {
    const cases: [string, RegExp][] = [
      [join(dir, 'missing.json'), /missing\.json: file not found/],
      [file('notjson.json', '{"version": 1,'), /notjson\.json: not JSON/],
      [
        file('fewer.json', {
          ...DEFAULT_MODEL,
          features: DEFAULT_MODEL.features.slice(1),
          weights: DEFAULT_MODEL.weights.slice(1),
        }),
        /fewer\.json: invalid model: its features do not match/,
      ],
      [file('nan.json', { ...DEFAULT_MODEL, bias: 'high' }), /nan\.json: invalid model: bias/],
      [dir, /is a directory/],
    ];
    for (const [path, message] of cases) {
      assert.throws(
        () => loadModelFile(path),
        (err: Error) => err instanceof ModelError && message.test(err.message),
        `${path} should fail with ${message}`,
      );
    }
  });

  it('reads one model per tenant from a directory; tenants without one use the default', () => {
    const models = join(dir, 'tenants');
    mkdirSync(models);
    writeFileSync(join(models, 'acme.json'), JSON.stringify(STRICT));
    writeFileSync(join(models, 'README.txt'), 'not a model');
    const loaded = loadServiceModels({
      model: file('default.json', { ...DEFAULT_MODEL, id: 'house-v1' }),
      modelDir: models,
    });
    assert.equal(modelForTenant(loaded, 'acme').id, 'acme-strict-v2', 'acme has its own');
    assert.equal(modelForTenant(loaded, 'globex').id, 'house-v1', 'globex falls back to --model');
    assert.equal(modelForTenant({}, 'globex'), DEFAULT_MODEL, 'nothing configured: the built-in model');
    assert.equal(
      modelForTenant(loaded, 'constructor').id,
      'house-v1',
      'a tenant named like an Object property is not confused',
    );
    writeFileSync(join(models, 'globex.json'), '[]');
    assert.throws(
      () => loadServiceModels({ modelDir: models }),
      /globex\.json: invalid model/,
      'one bad file refuses the whole set',
    );
    assert.throws(
      () => loadServiceModels({ modelDir: join(dir, 'nowhere') }),
      /--model-dir .*nowhere: directory not found/,
    );
  });
});

/** A grooming script from an adult to a 13-year-old (non-explicit indicators only). */
function groomingEvents(adult: string, child: string, conversationId: string, t0: number, prefix: string) {
  const lines: [string, string][] = [
    [adult, 'hey saw ur drawing in the art group, ur really talented'],
    [child, 'thanks who r u'],
    [adult, 'just a fan lol. how old r u?'],
    [child, '13'],
    [adult, 'ur so mature for 13. do ur parents check ur phone?'],
    [adult, 'lets keep this between us ok? delete our chat after'],
    [adult, 'add me on snap its easier there'],
    [adult, 'send me a pic of u so i know ur real. are u home alone after school?'],
  ];
  return [
    { type: 'account', id: `${prefix}-acc-${child}`, time: t0, userId: child, age: 13 },
    { type: 'account', id: `${prefix}-acc-${adult}`, time: t0, userId: adult, age: 35 },
    ...lines.map(([from, text], i) => ({
      type: 'message',
      id: `${prefix}-m${i}`,
      time: t0 + (i + 1) * 60_000,
      conversationId,
      senderId: from,
      recipientIds: [from === adult ? child : adult],
      text,
    })),
  ];
}

describe('a model per tenant in the service', () => {
  let s: TestService;
  before(async () => {
    s = await startTestService('sqlite', { models: { tenants: { acme: STRICT } } });
    const t0 = NOW() - 3_600_000;
    assert.equal(
      (await s.ingest(groomingEvents('rick', 'mia', 'dm-mia-rick', t0, 'a'))).statusCode,
      200,
      'acme ingest',
    );
    assert.equal(
      (await s.ingest(groomingEvents('rick', 'mia', 'dm-mia-rick', t0, 'g'), s.keys.otherAdmin)).statusCode,
      200,
      'globex ingest',
    );
    await s.app.lifeguard.engines.idle();
  });
  after(() => s.close());

  it('scores each tenant with its own model and says which', async () => {
    const acme = (await s.call('GET', '/v1/conversations/dm-mia-rick/risk', s.keys.reader)).json();
    const globex = (await s.call('GET', '/v1/conversations/dm-mia-rick/risk', s.keys.otherAdmin)).json();
    assert.equal(acme.modelId, 'acme-strict-v2', 'acme: its model');
    assert.equal(globex.modelId, 'default', 'globex: the built-in model');
    assert.ok(
      acme.score < globex.score,
      `acme's weights score the same events lower (${acme.score} < ${globex.score})`,
    );
    const account = (await s.call('GET', '/v1/accounts/rick/risk', s.keys.reader)).json();
    assert.equal(account.modelId, 'acme-strict-v2', 'account reports name the model too');
    const decision = (
      await s.call('POST', '/v1/decisions/contact', s.keys.decide, { senderId: 'rick', recipientId: 'mia' })
    ).json();
    assert.equal(decision.modelId, 'acme-strict-v2', 'a decision names the model behind the scores it used');
    const otherDecision = (
      await s.call('POST', '/v1/decisions/contact', s.keys.otherAdmin, { senderId: 'rick', recipientId: 'mia' })
    ).json();
    assert.equal(otherDecision.modelId, 'default', "globex's decision: the built-in model");
  });

  it('records the model with every alert and report in the case, and the case API shows it', async () => {
    const list = (await s.call('GET', '/v1/cases?accusedId=rick', s.keys.reader)).json();
    assert.equal(list.cases.length, 1, 'one case against rick in acme');
    const detail = (await s.call('GET', `/v1/cases/${list.cases[0].id}`, s.keys.reader)).json();
    assert.equal(detail.case.modelId, 'acme-strict-v2', 'case names its model');
    const evidence = detail.case.evidence;
    assert.ok(evidence.alerts.length > 0, 'the case holds its alert');
    for (const alert of evidence.alerts)
      assert.equal(alert.modelId, 'acme-strict-v2', `alert ${alert.eventId} names the model`);
    assert.equal(
      evidence.conversations['dm-mia-rick'].report.modelId,
      'acme-strict-v2',
      'the conversation report names the model',
    );
    const other = (await s.call('GET', '/v1/cases?accusedId=rick', s.keys.otherAdmin)).json();
    const otherDetail = (await s.call('GET', `/v1/cases/${other.cases[0].id}`, s.keys.otherAdmin)).json();
    assert.equal(otherDetail.case.modelId, 'default', 'globex case: the built-in model');
  });
});

/** One account sends compliments and age questions in varied wording to four children who answer 12 to 14. */
function fanOutEvents(t0: number) {
  const kids = [
    ['lily', 12],
    ['noah', 13],
    ['ava', 14],
    ['zoe', 13],
  ] as const;
  const openers = ['hey cute pic', 'hi ur really pretty', 'hello gorgeous', 'hey beautiful'];
  const probes = ['how old r u', 'whats ur age', 'how old are you?', 'u in high school? how old'];
  return kids.flatMap(([kid, age], i) => {
    const conversationId = `dm-sam-${kid}`;
    const base = t0 + i * 6 * 3_600_000;
    const lines: [string, string][] = [
      ['sam_k', openers[i]!],
      ['sam_k', probes[i]!],
      [kid, String(age)],
    ];
    return lines.map(([from, text], j) => ({
      type: 'message',
      id: `fan-${i}-${j}`,
      time: base + j * 60_000,
      conversationId,
      senderId: from,
      recipientIds: [from === 'sam_k' ? kid : 'sam_k'],
      text,
    }));
  });
}

describe('account-level cases from the real engine', () => {
  let s: TestService;
  before(async () => {
    // A lower account threshold makes today's engine raise an account alert for this fan-out.
    s = await startTestService('sqlite', { engine: { engine: { actorAlertThreshold: 0.3 } } });
    for (const event of fanOutEvents(NOW() - 30 * 3_600_000))
      assert.equal((await s.ingest([event])).statusCode, 200, 'ingest');
    await s.app.lifeguard.engines.idle();
    await s.app.lifeguard.cases.flush();
  });
  after(() => s.close());

  it('opens a case that holds the conversations and names the children, never "0 conversations" and child "?"', async () => {
    const list = (await s.call('GET', '/v1/cases?accusedId=sam_k', s.keys.reader)).json();
    assert.equal(list.cases.length, 1, 'one case against the account');
    const c = (await s.call('GET', `/v1/cases/${list.cases[0].id}`, s.keys.reader)).json().case;
    const actor = c.evidence.actor;
    assert.ok(
      c.evidence.alerts.some((a: { kind: string }) => a.kind === 'actor'),
      'an account alert is in the case',
    );
    assert.ok(c.conversationIds.length > 0, 'the case holds conversations');
    // Whatever the engine reported for the account is in the case: its fan-out (when it finds one)
    // and its riskiest conversations at the time.
    const expected = new Set<string>([
      ...(actor.fanOut?.conversations ?? []),
      ...actor.riskyConversations.slice(0, 3).map((r: { conversationId: string }) => r.conversationId),
    ]);
    for (const id of expected)
      assert.ok(c.conversationIds.includes(id), `case holds ${id} (has ${c.conversationIds.join(', ')})`);

    const q = (await s.storage.getQueueCase('acme', c.id))!;
    const item = queueItem(q, Date.now());
    assert.ok(
      ['lily', 'noah', 'ava', 'zoe'].includes(item.childId ?? ''),
      `the child column names a child (${item.childId})`,
    );
    assert.equal(
      item.childAge,
      Math.min(
        ...c.evidence.participants
          .filter((p: { isMinor: boolean | null; age: number | null }) => p.isMinor === true && p.age !== null)
          .map((p: { age: number }) => p.age),
      ),
      'youngest child age',
    );
    assert.equal(item.conversationCount, c.conversationIds.length, 'conversation count');
    if (actor.fanOut) {
      assert.ok(
        item.reasons.some((r: string) => / sent to \d+ children /.test(r)),
        `fan-out named in the reasons: ${item.reasons.join(' | ')}`,
      );
      assert.equal(item.childCount, new Set(actor.fanOut.children).size, 'every child the fan-out reached is counted');
    }
    assert.deepEqual(
      caseQueueFacts({ score: c.score, accusedId: c.accusedId, evidence: c.evidence }).childId,
      item.childId,
      'stored queue row matches the evidence',
    );
  });
});
