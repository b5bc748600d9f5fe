// A specialist files a report from the console and sees its status, in real Chromium against the real
// service, with NCMEC played by the local CyberTipline server of the service's tests.
// Needs Debian's chromium (/usr/bin/chromium); LIFEGUARD_SKIP_BROWSER=1 skips these tests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, GROOMING, startConsoleEnv, type ConsoleEnv } from './harness.ts';
import { LocalNcmec } from '../../service/test/ncmecServer.ts';

describe('reporting a case from the console in Chromium', { timeout: 240_000 }, () => {
  let env: ConsoleEnv;
  let ncmec: LocalNcmec;
  before(
    async () => {
      if (browserSkip) return;
      ncmec = new LocalNcmec();
      await ncmec.start();
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
          },
        },
      );
    },
    { timeout: 180_000 },
  );
  after(async () => {
    await env?.close();
    await ncmec?.stop();
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
    await page.getByText(/Legal hold until/).waitFor();
    assert.equal(env.cspViolations.length, 0, `no CSP violations (${env.cspViolations.join('; ')})`);
    await context.close();
  });
});
