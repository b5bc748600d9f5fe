// The moderator console in real Chromium against the real service: sign-in, working a case from the
// queue to a decision, the audit log, role checks, script in message text, media reveal, shortcuts.
// Needs Debian's chromium (/usr/bin/chromium): skipped, saying how to install it, when it is missing
// (a failure under LIFEGUARD_REQUIRE_ALL=1), and always skipped under LIFEGUARD_SKIP_BROWSER=1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { newId, type CaseRecord } from '@lifeguard/storage';
import { environmentSkip } from '@lifeguard/storage/testing';
import {
  apiSession,
  chromiumMissing,
  GROOMING,
  STAFF,
  startConsoleEnv,
  TENANT,
  XSS_TEXT,
  type ConsoleEnv,
} from './harness.ts';

// rick_j: the case worked to a decision. vince: a younger child, a shared picture and script in a message.
const SCENARIOS = [
  { accused: 'rick_j', accusedAge: 34, child: 'mia', childAge: 13, chat: GROOMING, hoursAgo: 5 },
  {
    accused: 'vince',
    accusedAge: 29,
    child: 'ella',
    childAge: 12,
    hoursAgo: 2,
    chat: [
      ...GROOMING.slice(0, 4),
      { from: 'c' as const, text: 'my dog', media: ['/console/test-media/meadow.svg'] },
      { from: 'c' as const, text: 'and the lake', media: ['/console/test-media/lake.svg'] },
      { from: 'a' as const, text: XSS_TEXT },
      ...GROOMING.slice(4),
    ],
  },
];

const browserSkip =
  process.env.LIFEGUARD_SKIP_BROWSER === '1'
    ? 'LIFEGUARD_SKIP_BROWSER=1: browser tests skipped'
    : environmentSkip('Chromium', chromiumMissing());

describe('moderator console in Chromium', { timeout: 240_000 }, () => {
  let env: ConsoleEnv;
  before(
    async () => {
      if (!browserSkip) env = await startConsoleEnv(SCENARIOS);
    },
    { timeout: 180_000 },
  );
  after(async () => {
    await env?.close();
  });

  const openCase = async (page: Page, accused: string) => {
    await page.goto(`/console/cases/${encodeURIComponent(env.cases[accused]!)}`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: accused }).waitFor();
  };

  test('sign-in refuses a wrong password and lets staff in with the right one', { skip: browserSkip }, async () => {
    const context = await env.browser.newContext({ baseURL: env.base });
    const page = await context.newPage();
    await page.goto('/console/');
    await page.getByLabel('Work email').fill(STAFF.moderator.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.match(await page.getByTestId('signed-in-as').innerText(), /Priya Shah\s*moderator/);
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();
    // A session that ends mid-work (cookie gone) brings the sign-in form back on the next call.
    await context.clearCookies();
    await page.getByRole('button', { name: /Next case/ }).click();
    await page.getByLabel('Work email').waitFor();
    await page.getByLabel('Work email').fill(STAFF.moderator.email);
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-as').waitFor();
    // Signing out kills the session: a reload shows the sign-in form again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Work email').waitFor();
    await page.reload();
    await page.getByLabel('Work email').waitFor();
    await context.close();
  });

  test('the queue lists both cases, the younger child first, with reasons, age, waiting time and claim state', {
    skip: browserSkip,
  }, async () => {
    const { context, page } = await env.signIn('moderator');
    const rows = page.locator('table.queue tbody tr[data-case-id]');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 2);
    const first = rows.nth(0);
    assert.equal(await first.getAttribute('data-case-id'), env.cases.vince);
    assert.match(await first.locator('td').nth(3).innerText(), /^12\s*ella$/, 'the child column: age and the child');
    assert.ok((await first.locator('.chips li').count()) > 0, 'reasons are shown as chips');
    assert.match(
      await rows.nth(1).locator('td').nth(3).innerText(),
      /^13\s*mia$/,
      'the child column: age and the child',
    );
    assert.match(await rows.nth(1).innerText(), /Unclaimed/);
    assert.match(await rows.nth(1).locator('td').nth(5).innerText(), /^(just now|\d+ (min|h|d)( \d+ (min|h))?)$/);
    await context.close();
  });

  test('keyboard: j/k move, Enter opens, ? shows help, a decision key opens the form without acting, n takes the next case', {
    skip: browserSkip,
  }, async () => {
    const { context, page } = await env.signIn('moderator2');
    const rows = page.locator('table.queue tbody tr[data-case-id]');
    await rows.first().waitFor();
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.keyboard.press('j');
    assert.equal(await page.locator('tr.selected').getAttribute('data-case-id'), env.cases.rick_j);
    await page.keyboard.press('k');
    assert.equal(await page.locator('tr.selected').getAttribute('data-case-id'), env.cases.vince);
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/console/cases/${env.cases.rick_j}`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'rick_j' }).waitFor();

    // c claims; w opens the warn form with the note focused; Escape closes it and nothing was decided.
    await page.keyboard.press('c');
    await page.getByTestId('claim-state').filter({ hasText: 'Claimed by you' }).waitFor();
    await page.keyboard.press('w');
    const form = page.getByTestId('decision-form');
    await form.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'decision-note');
    // Typing decision keys into the note must not start another action.
    await page.keyboard.type('xsb');
    assert.equal(await page.locator('#decision-note').inputValue(), 'xsb');
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
    const detail = await page.evaluate(
      async (id) => (await fetch(`/console/api/cases/${id}`)).json(),
      env.cases.rick_j!,
    );
    assert.equal(detail.case.status === 'actioned', false, 'a key alone decided nothing');
    await page.keyboard.press('c');
    await page.getByTestId('claim-state').filter({ hasText: 'Not claimed' }).waitFor();

    // n claims the most urgent case and opens it.
    await page.keyboard.press('u');
    await rows.first().waitFor();
    await page.keyboard.press('n');
    await page.waitForURL(`**/console/cases/${env.cases.vince}`);
    await page.getByTestId('claim-state').filter({ hasText: 'Claimed by you' }).waitFor();
    await page.keyboard.press('c');
    await page.getByTestId('claim-state').filter({ hasText: 'Not claimed' }).waitFor();
    await context.close();
  });

  test('script in a message is shown as text and never runs', { skip: browserSkip }, async () => {
    const { context, page } = await env.signIn('moderator');
    await openCase(page, 'vince');
    const msg = page.locator('.message', { hasText: 'window.__pwned' });
    await msg.waitFor();
    const text = await msg.locator('.message-text').innerText();
    assert.ok(text.includes('<script>window.__pwned=1</script>'), text);
    assert.ok(text.includes('<img src=x onerror="window.__pwned=1">'), text);
    assert.equal(await msg.locator('.message-text script, .message-text img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    await context.close();
  });

  test('evidence spans are highlighted and labelled, and the case shows ages, timeline and the ladder', {
    skip: browserSkip,
  }, async () => {
    const { context, page } = await env.signIn('moderator');
    await openCase(page, 'rick_j');
    assert.ok((await page.locator('mark.ev').count()) >= 3, 'several spans highlighted');
    const labels = await page.locator('.ev-label').allInnerTexts();
    assert.ok(
      labels.some((l) => l.includes('·')),
      `labels name signal and stage: ${labels.join(' | ')}`,
    );
    assert.ok((await page.locator('.timeline-svg circle').count()) > 0, 'risk timeline has points');
    assert.match(await page.getByTestId('person-accused').innerText(), /34/);
    assert.match(await page.getByTestId('person-child').innerText(), /13/);
    // A moderator sees warn but not suspend/disable (specialist steps); before a claim the steps are disabled.
    assert.equal(await page.getByRole('button', { name: /Warn/ }).isDisabled(), true);
    assert.equal(await page.locator('.ladder-btn.action-disable').count(), 0);
    assert.equal(await page.locator('.ladder-btn.action-suspend').count(), 0);
    await context.close();
  });

  test('media is blurred until revealed, one item at a time, and each reveal is in the audit log', {
    skip: browserSkip,
  }, async () => {
    const { context, page } = await env.signIn('moderator');
    await openCase(page, 'vince');
    const tiles = page.getByTestId('media-tile');
    assert.equal(await tiles.count(), 2);
    for (const state of await tiles.evaluateAll((els) => els.map((e) => e.getAttribute('data-state'))))
      assert.equal(state, 'hidden');
    const filter = await tiles
      .first()
      .locator('.media-placeholder')
      .evaluate((el) => getComputedStyle(el).filter);
    assert.match(filter, /blur/);
    assert.match(filter, /grayscale/);
    assert.equal(await page.locator('img.media-img').count(), 0, 'no image is loaded before a reveal');

    await tiles.nth(0).getByRole('button', { name: 'Reveal…' }).click();
    await tiles.nth(0).getByText('This may be distressing').waitFor();
    await tiles.nth(0).getByRole('button', { name: 'Show it' }).click();
    await page.locator('[data-state="revealed"] img.media-img').waitFor();
    assert.equal(await tiles.nth(0).getAttribute('data-state'), 'revealed');

    await tiles.nth(1).getByRole('button', { name: 'Reveal…' }).click();
    await tiles.nth(1).getByRole('button', { name: 'Show it' }).click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="media-tile"]')[1]?.getAttribute('data-state') === 'revealed',
    );
    assert.equal(await tiles.nth(0).getAttribute('data-state'), 'hidden', 'revealing another re-blurs the first');
    assert.equal(await page.locator('[data-state="revealed"]').count(), 1);
    await context.close();

    const spec = await env.signIn('specialist');
    await spec.page.goto(`/console/audit?caseId=${encodeURIComponent(env.cases.vince!)}`);
    const reveals = spec.page.locator('tr[data-action="media.reveal"]');
    await reveals.first().waitFor();
    assert.equal(await reveals.count(), 2);
    assert.match(await reveals.first().innerText(), /Priya Shah/);
    await spec.context.close();
  });

  test('a moderator works a case from the queue to a warning, and a specialist sees it in the audit log', {
    skip: browserSkip,
  }, async () => {
    const { context, page } = await env.signIn('moderator');
    await page.locator(`tr[data-case-id="${env.cases.rick_j}"] a.case-link`).click();
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'rick_j' }).waitFor();
    await page.getByRole('button', { name: /^Claim/ }).click();
    await page.getByTestId('claim-state').filter({ hasText: 'Claimed by you' }).waitFor();
    await page.locator('.message', { hasText: 'keep this between us' }).waitFor();

    await page.getByRole('button', { name: /Warn/ }).click();
    const form = page.getByTestId('decision-form');
    await form.getByLabel('Reason').selectOption({ index: 1 });
    await form.getByRole('button', { name: /Confirm/ }).click();
    await form.getByRole('alert').filter({ hasText: 'at least 10 characters' }).waitFor();
    await form.getByLabel(/Note/).fill('Asked a 13-year-old for secrecy, a photo and a meeting; first warning.');
    await form.getByRole('button', { name: /Confirm/ }).click();
    await page.getByTestId('case-banner').filter({ hasText: 'Decision recorded: warn' }).waitFor();
    await context.close();

    const spec = await env.signIn('specialist');
    await spec.page.getByRole('link', { name: 'Audit log' }).click();
    await spec.page.getByLabel('Action').selectOption('case.decision');
    await spec.page.getByRole('button', { name: 'Apply' }).click();
    const row = spec.page.locator('tr[data-action="case.decision"]').first();
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /Priya Shah/);
    assert.match(text, /warn/);
    assert.match(text, /first warning/);
    assert.ok(text.includes(env.cases.rick_j!), 'the audit log names the case');
    await spec.context.close();
  });

  test('a moderator cannot reach the admin-only staff page or the audit log: the UI says forbidden and the API answers 403', {
    skip: browserSkip,
  }, async () => {
    const { context, page } = await env.signIn('moderator');
    assert.equal(await page.getByRole('link', { name: 'Staff' }).count(), 0, 'the link is hidden');
    assert.equal(await page.getByRole('link', { name: 'Audit log' }).count(), 0);
    await page.goto('/console/admin/staff');
    await page.getByTestId('forbidden').waitFor();
    const status = await page.evaluate(async () => (await fetch('/console/api/staff')).status);
    assert.equal(status, 403);
    await page.goto('/console/audit');
    await page.getByTestId('forbidden').waitFor();

    // The UI's CSRF header is what lets its calls through: the same call from the page without it is refused.
    const noCsrf = await page.evaluate(async (id) => {
      const r = await fetch(`/console/api/cases/${id}/claim`, { method: 'POST' });
      return { status: r.status, code: (await r.json()).code };
    }, env.cases.vince!);
    assert.deepEqual(noCsrf, { status: 403, code: 'csrf' });
    await context.close();

    const mod = await apiSession(env.base, STAFF.moderator.email);
    assert.equal((await mod.call('GET', '/console/api/staff')).status, 403);
    assert.equal(
      (
        await mod.call('POST', '/console/api/staff', {
          email: 'x@example.org',
          name: 'X',
          role: 'admin',
          password: 'long enough password',
        })
      ).status,
      403,
    );

    const admin = await env.signIn('admin');
    await admin.page.getByRole('link', { name: 'Staff' }).click();
    await admin.page.getByRole('cell', { name: STAFF.moderator.email }).waitFor();
    await admin.context.close();
  });

  test('an appeal of a warning goes to a different moderator', { skip: browserSkip }, async () => {
    // Needs the warning from the test above; the platform forwards the account's appeal.
    const res = await fetch(`${env.base}/v1/appeals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ accountId: 'rick_j', text: 'I was only talking about art.' }),
    });
    assert.ok(res.ok, `appeal answered ${res.status}`);

    const priya = await env.signIn('moderator');
    await priya.page.goto('/console/queue?view=appeals');
    await priya.page.locator(`tr[data-case-id="${env.cases.rick_j}"]`).waitFor();
    await openCase(priya.page, 'rick_j');
    await priya.page.getByTestId('cannot-work').filter({ hasText: 'your own decision' }).waitFor();
    assert.equal(await priya.page.getByRole('button', { name: /^Claim/ }).count(), 0);
    await priya.context.close();

    const tom = await env.signIn('moderator2');
    await openCase(tom.page, 'rick_j');
    await tom.page.getByRole('button', { name: /^Claim/ }).click();
    await tom.page.getByTestId('claim-state').filter({ hasText: 'Claimed by you' }).waitFor();
    await tom.context.close();
  });

  test('every form control on every page has a label', { skip: browserSkip }, async () => {
    const { context, page } = await env.signIn('admin');
    const unlabelled = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('input, select, textarea')]
          .filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label'))
          .map((el) => el.outerHTML.slice(0, 80)),
      );
    await page.goto(`/console/cases/${encodeURIComponent(env.cases.vince!)}`);
    await page.getByRole('button', { name: /^Claim/ }).click();
    await page.getByTestId('claim-state').filter({ hasText: 'Claimed by you' }).waitFor();
    await page.keyboard.press('s');
    await page.getByTestId('decision-form').waitFor();
    assert.deepEqual(await unlabelled(), [], 'case view with the suspend form open');
    await page.keyboard.press('Escape');
    await page.keyboard.press('c');
    await page.getByTestId('claim-state').filter({ hasText: 'Not claimed' }).waitFor();
    for (const path of ['/console/audit', '/console/admin/staff', '/console/queue']) {
      await page.goto(path);
      await page.locator('table tbody tr').first().waitFor();
      assert.deepEqual(await unlabelled(), [], path);
    }
    await context.close();
  });

  test('a dismissed case whose evidence retention removed shows a notice instead of empty messages', {
    skip: browserSkip,
  }, async () => {
    const day = 86_400_000;
    const t = Date.now() - 100 * day;
    const texts = ['see you at practice tomorrow', 'ok bring the ball'];
    const conversationId = 'conv-retention';
    const c: CaseRecord = {
      id: newId('case'),
      tenantId: TENANT,
      accusedId: 'old_dismissed',
      status: 'open',
      level: 'medium',
      score: 0.4,
      conversationIds: [conversationId],
      evidence: {
        alerts: [],
        actor: null,
        participants: [],
        conversations: {
          [conversationId]: {
            report: null,
            messages: texts.map((text, i) => ({
              id: `ret-${i}`,
              time: t + i,
              senderId: i ? 'kid_r' : 'old_dismissed',
              recipientIds: [i ? 'old_dismissed' : 'kid_r'],
              text,
              textPurged: false,
            })),
          },
        },
      },
      openedAt: t,
      updatedAt: t,
      version: 1,
    };
    await env.storage.saveCase(TENANT, { caseRecord: c });
    // Dismissed 99 days ago, so only this case is due when retention runs now.
    await env.storage.saveCase(TENANT, {
      caseRecord: { ...c, status: 'dismissed', updatedAt: t + day, version: 2 },
      expectedVersion: 1,
      history: {
        at: t + day,
        actor: 'Priya Shah',
        action: 'transition',
        fromStatus: 'open',
        toStatus: 'dismissed',
        note: 'dismiss (no_violation): teammates',
      },
    });
    const run = await env.app.lifeguard.retention.runTenant(TENANT);
    assert.equal(run.dismissedCases.casesPurged, 1);

    const { context, page } = await env.signIn('moderator');
    await page.goto(`/console/cases/${encodeURIComponent(c.id)}`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'old_dismissed' }).waitFor();
    assert.match(
      await page.getByTestId('evidence-purged').innerText(),
      /Evidence removed by retention on .+\. This case was dismissed/,
    );
    assert.match(await page.getByTestId('messages-purged').innerText(), /^2 messages removed by retention on /);
    assert.equal(await page.locator('li.message').count(), 0, 'no empty message bubbles');
    const body = await page.locator('body').innerText();
    for (const text of texts) assert.ok(!body.includes(text), 'no removed message text is shown');
    await context.close();
  });

  // Last: a second tenant makes every later sign-in name its tenant.
  test('once the service hosts a second tenant, sign-in asks for the tenant id and remembers it', {
    skip: browserSkip,
  }, async () => {
    await env.storage.createTenant('globex', 'Globex Chat');
    const context = await env.browser.newContext({ baseURL: env.base });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto('/console/');
    assert.equal(await page.getByLabel('Tenant id').count(), 0, 'no tenant field until the service asks for one');
    await page.getByLabel('Work email').fill(STAFF.moderator.email);
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'enter your tenant id' }).waitFor();
    await page.getByLabel('Tenant id').fill('globex');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
    await page.getByLabel('Tenant id').fill(TENANT);
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.match(await page.getByTestId('signed-in-as').innerText(), /Priya Shah\s*moderator/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Work email').waitFor();
    assert.equal(await page.getByLabel('Tenant id').inputValue(), TENANT, 'the tenant last signed in to is kept');
    await context.close();
  });

  test('no page needed an inline script or style (no CSP violations reported)', { skip: browserSkip }, () => {
    assert.deepEqual(env.cspViolations, []);
  });
});
