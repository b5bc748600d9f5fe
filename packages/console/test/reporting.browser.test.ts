// A specialist files a report from the console and sees its status, in real Chromium against the real
// service, with NCMEC played by the local CyberTipline server of the service's tests.
// Needs Debian's chromium (/usr/bin/chromium); LIFEGUARD_SKIP_BROWSER=1 skips these tests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, GROOMING, startConsoleEnv, type ConsoleEnv } from './harness.ts';
import { LocalNcmec } from '../../service/test/ncmecServer.ts';
import { JsonIntake } from '../../service/test/jsonIntake.ts';

describe('reporting a case from the console in Chromium', { timeout: 240_000 }, () => {
  let env: ConsoleEnv;
  let ncmec: LocalNcmec;
  let police: JsonIntake;
  before(
    async () => {
      if (browserSkip) return;
      ncmec = new LocalNcmec();
      await ncmec.start();
      police = new JsonIntake();
      await police.start();
      env = await startConsoleEnv(
        [{ accused: 'rick_j', accusedAge: 34, child: 'mia', childAge: 13, chat: GROOMING, hoursAgo: 5 }],
        {
          reporting: {
            reporter: { companyName: 'Acme Social', email: 'safety@acme.example', service: 'Acme Chat' },
            ncmec: { environment: 'test', baseUrl: ncmec.url, username: 'lifeguard-test', password: 'test-password' },
            // This platform reports to NCMEC only (the child's GB would otherwise add the NCA, not configured here).
            platformCountries: ['US'],
            jurisdictions: { US: ['ncmec'] },
            worker: { intervalMs: 200 },
            // Both accounts are in GB: no Member State concerned, so the provider's own (Art. 18(2)).
            dsa: {
              provider: {
                name: 'Acme Social Ltd',
                service: 'Acme Chat',
                establishedIn: 'IE',
                contactName: 'Duty desk',
                contactEmail: 'duty@acme.example',
              },
              recipients: {
                IE: {
                  name: 'An Garda Síochána',
                  transport: { kind: 'https', url: `${police.url}/ie`, token: police.token },
                },
              },
            },
          },
        },
      );
    },
    { timeout: 180_000 },
  );
  after(async () => {
    await env?.close();
    await ncmec?.stop();
    await police?.stop();
  });

  test('a moderator sees no report panel; a specialist prepares a report, is told what is missing, sends it and sees it filed', {
    skip: browserSkip,
  }, async () => {
    const caseUrl = `/console/cases/${encodeURIComponent(env.cases.rick_j!)}`;
    const mod = await env.signIn('moderator');
    await mod.page.goto(caseUrl);
    await mod.page.getByRole('heading', { level: 1 }).filter({ hasText: 'rick_j' }).waitFor();
    assert.equal(
      await mod.page.getByRole('heading', { name: 'Reports to the authorities' }).count(),
      0,
      'moderators do not see it',
    );
    await mod.context.close();

    const { context, page } = await env.signIn('specialist');
    await page.goto(caseUrl);
    await page.getByRole('heading', { name: 'Reports to the authorities' }).waitFor();
    await page.getByText('No report yet.').waitFor();
    await page.getByRole('button', { name: 'Prepare a report' }).click();
    await page
      .getByLabel('What happened and why you report it')
      .fill('An adult asked a 13-year-old her age, to keep the chat secret and to move to another app.');
    await page.getByRole('button', { name: 'Send report' }).click();
    const refusal = await page.getByTestId('report-error').innerText();
    assert.match(
      refusal,
      /declaration\.accepted: the declaration must be accepted/,
      `the missing declaration is named (got ${refusal})`,
    );
    assert.equal(ncmec.calls['/submit'], undefined, 'nothing was sent');

    // The specialist changes the evidence: one cited message out, one other message in; the child is the intended recipient.
    const boxes = page.locator('fieldset.evidence-choice label');
    const texts = await boxes.allInnerTexts();
    const states = await boxes.locator('input').evaluateAll((xs) => xs.map((x) => (x as HTMLInputElement).checked));
    const dropped = states.indexOf(true);
    const added = states.indexOf(false);
    assert.ok(dropped >= 0 && added >= 0, `some messages cited and some not (${states.join(',')})`);
    await boxes.nth(dropped).locator('input').uncheck();
    await boxes.nth(added).locator('input').check();
    const textOf = (label: string) =>
      label
        .trim()
        .replace(/^\S+: /, '')
        .replace(/ \(cited\)$/, '');
    await page.getByLabel('The child in this case is').selectOption('intendedRecipient');
    await page.getByLabel(/I have reviewed this case myself/).check();
    await page.getByRole('button', { name: 'Send report' }).click();
    await page
      .getByTestId('report-ncmec')
      .waitFor()
      .catch(async (err) => {
        throw new Error(
          `no NCMEC report shown; the panel says: ${await page
            .getByTestId('report-error')
            .innerText()
            .catch(() => '(nothing)')}`,
          { cause: err },
        );
      });
    // The worker files within a moment; the panel shows the state the server holds after a reload.
    for (let i = 0; i < 50 && ncmec.finishedCount() === 0; i++) await new Promise((r) => setTimeout(r, 100));
    await page.reload();
    const status = await page.getByTestId('report-ncmec').getByTestId('report-status').innerText();
    assert.equal(status, 'filed', 'the specialist sees it filed');
    const reference = await page.getByTestId('report-reference').innerText();
    assert.ok(ncmec.reports.get(reference)?.finished, `NCMEC's report ${reference} is shown and finished`);
    const xml = ncmec.reports.get(reference)!.xml;
    assert.ok(
      xml.includes(textOf(texts[added]!)),
      `the message the specialist added is in the report (${texts[added]})`,
    );
    assert.ok(
      !xml.includes(textOf(texts[dropped]!)),
      `the cited message the specialist took out is not (${texts[dropped]})`,
    );
    assert.match(xml, /<intendedRecipient>/, 'the child is reported as the intended recipient');
    await page.getByText(/Legal hold until/).waitFor();
    assert.equal(env.cspViolations.length, 0, `no CSP violations (${env.cspViolations.join('; ')})`);
    await context.close();
  });

  test('a specialist notifies the police of a threat to a child’s safety (DSA Art. 18), sees it filed, and extends the hold', {
    skip: browserSkip,
  }, async () => {
    const { context, page } = await env.signIn('specialist');
    await page.goto(`/console/cases/${encodeURIComponent(env.cases.rick_j!)}`);
    await page.getByRole('button', { name: 'Notify the police of a threat to life or safety' }).click();
    const form = page.getByRole('form', { name: 'Notify the police (DSA Art. 18)' });
    await form
      .getByLabel('What the threat is and why you suspect it')
      .fill('The adult arranged to pick the 13-year-old up on Saturday and told her to lie to her mother.');
    await form.getByLabel('Where (as far as known)').fill('the shopping centre named in the chat');
    await form.getByRole('button', { name: 'Notify the police' }).click();
    const refusal = await page.getByTestId('threat-error').innerText();
    assert.match(refusal, /declaration\.accepted: the declaration must be accepted/, `named (${refusal})`);
    assert.equal(police.requests, 0, 'nothing sent');

    await form.getByLabel(/I suspect a criminal offence involving a threat/).check();
    await form.getByRole('button', { name: 'Notify the police' }).click();
    await page.getByTestId('report-police').waitFor();
    for (let i = 0; i < 50 && police.received.size === 0; i++) await new Promise((r) => setTimeout(r, 100));
    await page.reload();
    const item = page.getByTestId('report-police');
    assert.match(await item.innerText(), /Police: An Garda Síochána \(IE, DSA Art\. 18\) · priority 1/);
    assert.equal(await item.getByTestId('report-status').innerText(), 'filed', 'the specialist sees it filed');
    const reference = await item.getByTestId('report-reference').innerText();
    const got = police.received.get(reference);
    assert.ok(got, `the police's reference ${reference} is shown`);
    assert.equal(got.body.suspicion.location, 'the shopping centre named in the chat');
    assert.ok(got.body.content.length > 0, 'the messages the detector cited went with it');

    const before = await page.getByTestId('hold-until').innerText();
    await page.getByRole('button', { name: 'Extend the hold' }).click();
    const hold = page.getByRole('form', { name: 'Extend the legal hold' });
    await hold.getByLabel(/Extend by/).fill('200');
    await hold
      .getByLabel('Why the evidence must be kept longer')
      .fill('The police asked us to keep it while they investigate.');
    await hold.getByRole('button', { name: 'Extend' }).click();
    await page.getByTestId('hold-until').filter({ hasNotText: before }).waitFor();
    const holds = await env.storage.legalHolds('acme', env.cases.rick_j!);
    const latest = Math.max(...holds.map((h) => h.until));
    assert.ok(latest > Date.now() + 364 * 86_400_000 + 199 * 86_400_000, 'held about 200 days beyond the year');
    assert.equal(env.cspViolations.length, 0, `no CSP violations (${env.cspViolations.join('; ')})`);
    await context.close();
  });
});
