// The embeddable Family Centre page in real Chromium against the real service: the parent's and the
// teen's page show the same metadata and no message text, the platform's theme applies, reporting and
// ending work from the page, and a bad or expired link shows a clear error. Needs /usr/bin/chromium
// (LIFEGUARD_CHROMIUM to use another; LIFEGUARD_SKIP_BROWSER=1 skips). In-page code is passed as strings:
// this package is type-checked without the DOM library. LIFEGUARD_UPDATE_SCREENSHOTS=1 also writes
// docs/screenshots/family-parent.png and family-teen.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestService, NOW, type TestService } from './helpers.ts';

const CHROMIUM = process.env.LIFEGUARD_CHROMIUM ?? '/usr/bin/chromium';
const skip = process.env.LIFEGUARD_SKIP_BROWSER === '1' ? 'LIFEGUARD_SKIP_BROWSER=1' : false;
const PRIVATE = 'meet me behind the gym, bring the secret password tulip';

describe('Family Centre page in Chromium', { skip, timeout: 120_000 }, () => {
  let s: TestService;
  let browser: Browser;
  let base = '';
  let linkId = '';

  const pageUrl = async (viewerId: string, extra: Record<string, unknown> = {}) => {
    const res = await s.call('POST', `/v1/family/links/${linkId}/page`, s.keys.decide, { viewerId, ...extra });
    assert.equal(res.statusCode, 200, res.body);
    return `${base}${res.json().url}`;
  };
  const open = async (url: string): Promise<{ page: Page; status: number; csp: string }> => {
    const page = await browser.newPage();
    const res = await page.goto(url);
    return { page, status: res?.status() ?? 0, csp: (await res?.allHeaders())?.['content-security-policy'] ?? '' };
  };
  const screenshot = async (page: Page, name: string) => {
    await page.setViewportSize({ width: 720, height: 900 });
    const png = await page.screenshot({ fullPage: true });
    assert.ok(png.length > 10_000, `a screenshot of the ${name} page was taken`);
    if (process.env.LIFEGUARD_UPDATE_SCREENSHOTS === '1')
      writeFileSync(new URL(`../../../docs/screenshots/family-${name}.png`, import.meta.url), png);
  };
  const accounts = (page: Page, section: string) =>
    page.$$eval(`[data-section="${section}"] li[data-account]`, (els) =>
      els.map((e) => e.getAttribute('data-account')),
    );

  before(async () => {
    if (!existsSync(CHROMIUM))
      assert.fail(
        `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set LIFEGUARD_SKIP_BROWSER=1`,
      );
    s = await startTestService('sqlite');
    base = await s.app.listen({ port: 0, host: '127.0.0.1' });
    const t = NOW();
    const res = await s.ingest([
      { type: 'account', id: 'a1', time: t, userId: 'mum', age: 42, country: 'GB' },
      { type: 'account', id: 'a2', time: t, userId: 'ella', age: 14, country: 'GB' },
      { type: 'account', id: 'a3', time: t, userId: 'jo', age: 14, country: 'GB' },
      { type: 'account', id: 'a4', time: t, userId: 'coach_dan', age: 31, country: 'GB' },
      { type: 'contact', id: 'c1', time: t, action: 'friend_accept', actorId: 'ella', targetId: 'jo' },
      { type: 'contact', id: 'c2', time: t + 1, action: 'friend_accept', actorId: 'ella', targetId: 'coach_dan' },
    ]);
    assert.equal(res.statusCode, 200, res.body);
    linkId = (await s.call('POST', '/v1/family/links', s.keys.decide, { parentId: 'mum', teenId: 'ella' })).json().link
      .id;
    const messages = await s.ingest([
      {
        type: 'message',
        id: 'm1',
        time: t + 2,
        conversationId: 'c-ej',
        senderId: 'jo',
        recipientIds: ['ella'],
        text: PRIVATE,
      },
      {
        type: 'message',
        id: 'm2',
        time: t + 3,
        conversationId: 'c-ed',
        senderId: 'coach_dan',
        recipientIds: ['ella'],
        text: `<script>document.title='x'</script> ${PRIVATE}`,
      },
    ]);
    assert.equal(messages.statusCode, 200, messages.body);
    assert.equal(
      (await s.call('POST', `/v1/family/links/${linkId}/accept`, s.keys.decide, { teenId: 'ella' })).statusCode,
      200,
      'accepted',
    );
    const names = await s.call('PUT', '/v1/family/names', s.keys.decide, {
      names: [
        { userId: 'coach_dan', name: 'Dan Hughes' },
        { userId: 'ella', name: 'Ella' },
        { userId: 'mum', name: '<b>Mum</b>' },
      ],
    });
    assert.equal(names.statusCode, 200, names.body);
    await s.call('PUT', '/v1/family/settings/ella', s.keys.decide, {
      settings: { profile_private: true, precise_location_off: false },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it("shows the parent who the teen talks to, in the platform's theme, without any message text", async () => {
    const { page, status, csp } = await open(
      await pageUrl('mum', { theme: { accent: '#c2185b', font: 'Georgia, serif' } }),
    );
    assert.equal(status, 200, 'page served');
    assert.match(csp, /default-src 'none'/, 'strict CSP');
    assert.equal(await page.textContent('h1'), 'Family Centre', 'title');
    assert.match(
      (await page.textContent('[data-intro]')) ?? '',
      /what you can see about Ella\./,
      'the parent sentence',
    );
    assert.match(
      (await page.textContent('[data-section="recent"] [data-account="coach_dan"]')) ?? '',
      /^Dan Hughes\s*coach_dan/,
      "the platform's display name, with the id beside it",
    );
    assert.equal(
      await page.textContent('[data-section="explain"] h2'),
      'What Ella was told about this link',
      'the teen-addressed explanation is labelled as what the teen was told',
    );
    assert.deepEqual((await accounts(page, 'recent')).sort(), ['coach_dan', 'jo'], 'who ella exchanged messages with');
    assert.deepEqual(
      await page.$$eval('[data-section="new"] .tag', (els) => els.map((e) => e.textContent)),
      ['adult'],
      'the adult new connection is marked',
    );
    assert.match(
      (await page.textContent('[data-section="settings"]')) ?? '',
      /1 setting is changed from the safe default/,
      'settings state',
    );
    const body = (await page.textContent('body')) ?? '';
    assert.ok(
      !body.includes('tulip') && !body.includes('gym') && !body.includes('script'),
      'no message text on the page',
    );
    assert.equal(
      await page.evaluate<string>("getComputedStyle(document.documentElement).getPropertyValue('--lg-accent').trim()"),
      '#c2185b',
      'the theme accent applies',
    );
    assert.match(
      await page.evaluate<string>('getComputedStyle(document.body).fontFamily'),
      /Georgia/,
      'the theme font applies',
    );
    assert.equal(await page.$$eval('script', (els) => els.length), 0, 'no script at all');
    await screenshot(page, 'parent');
    await page.close();
  });

  it('shows the teen the same screen, with help, and lets either report an account', async () => {
    const parent = await open(await pageUrl('mum'));
    const teen = await open(await pageUrl('ella'));
    for (const section of ['recent', 'new'])
      assert.deepEqual(
        await accounts(teen.page, section),
        await accounts(parent.page, section),
        `${section}: the teen sees what the parent sees`,
      );
    assert.match(
      (await teen.page.textContent('[data-intro]')) ?? '',
      /exactly what your parent or carer \(<b>Mum<\/b>\) sees/,
      'the teen sentence',
    );
    assert.equal(
      await teen.page.textContent('[data-section="explain"] h2'),
      'What this link shows',
      'the teen reads the explanation as addressed to them',
    );
    assert.match(
      (await teen.page.textContent('[data-section="help"]')) ?? '',
      /Childline[\s\S]*0800 1111/,
      'Childline for a UK teen',
    );
    assert.equal(
      await teen.page.$$eval('[data-end]', (els) => els.length),
      0,
      'a 14-year-old has no end button (the parent ends it)',
    );
    await screenshot(teen.page, 'teen');
    await teen.page.click('[data-section="recent"] [data-report="coach_dan"]');
    await teen.page.waitForSelector('[role="status"]');
    assert.match(
      (await teen.page.textContent('[role="status"]')) ?? '',
      /moderators will look at this account/,
      'reported',
    );
    const audit = await s.storage.listAudit('acme', { action: 'family.report', limit: 5 });
    assert.equal(audit[0]?.targetId, 'coach_dan', 'the report is in the audit log');
    await parent.page.close();
    await teen.page.close();
  });

  it('refuses a forged or expired page link with a clear message', async () => {
    const good = new URL(await pageUrl('mum'));
    const token = good.searchParams.get('token')!;
    const forged = await open(`${base}/family/page?token=${token.slice(0, -4)}AAAA`);
    assert.equal(forged.status, 401, 'forged token refused');
    assert.match((await forged.page.textContent('[data-error]')) ?? '', /bad signature/, 'says why');
    const missing = await open(`${base}/family/page`);
    assert.match((await missing.page.textContent('[data-error]')) ?? '', /missing or malformed/, 'no token');
    await forged.page.close();
    await missing.page.close();
  });

  it('lets the parent end the link from the page, after which the page no longer opens', async () => {
    const url = await pageUrl('mum');
    const { page } = await open(url);
    await page.click('[data-end]');
    await page.waitForSelector('[data-ended]');
    assert.match((await page.textContent('[data-ended]')) ?? '', /has ended/, 'ended');
    const again = await page.goto(url);
    assert.equal(again?.status(), 409, 'an ended link has no view');
    await page.close();
  });
});
