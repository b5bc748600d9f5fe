// The transparency statistics page in real Chromium against the real service: who may see it, charts
// whose bars and tables carry the server's numbers for the chosen period and jurisdiction, the CSV
// download, and a bad range named. Needs Debian's chromium; LIFEGUARD_SKIP_BROWSER=1 skips it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiSession, browserSkip, STAFF, startConsoleEnv, TENANT, type ConsoleEnv } from './harness.ts';
import { seedStatistics } from './statisticsSeed.ts';
import { periodsBetween, type Statistics } from '../src/statsSeries.ts';

const DAY = 86_400_000;

describe('transparency statistics in Chromium', { timeout: 240_000 }, () => {
  let env: ConsoleEnv;
  before(
    async () => {
      if (browserSkip) return;
      env = await startConsoleEnv([]);
      await seedStatistics(env.storage, TENANT);
    },
    { timeout: 180_000 },
  );
  after(async () => {
    await env?.close();
  });

  /** The numbers of one chart's table, by period and column. */
  async function tableOf(page: import('playwright-core').Page, testId: string) {
    const chart = page.getByTestId(testId);
    const details = chart.locator('details');
    if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open)))
      await chart.getByText('Show the numbers as a table').click();
    const table = page.getByTestId(`${testId}-table`);
    const head = await table.locator('thead th').allInnerTexts();
    const rows = await table
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c as HTMLElement).innerText.trim())),
      );
    return { head, rows };
  }

  test('a moderator has no statistics; a specialist sees charts and tables that carry the server’s numbers', {
    skip: browserSkip,
  }, async () => {
    const mod = await env.signIn('moderator');
    assert.equal(await mod.page.getByRole('link', { name: 'Statistics' }).count(), 0, 'no menu entry for moderators');
    await mod.page.goto('/console/statistics');
    await mod.page.getByTestId('forbidden').waitFor();
    await mod.context.close();

    const from = new Date(Date.now() - 330 * DAY).toISOString().slice(0, 10);
    const to = new Date().toISOString().slice(0, 10);
    const spec = await apiSession(env.base, STAFF.specialist.email);
    const api = async (q: string) => (await spec.call('GET', `/console/api/statistics?${q}`)).body as Statistics;
    const monthly = await api(`from=${from}&to=${to}&bucket=month`);

    const { context, page } = await env.signIn('specialist');
    await page.getByRole('link', { name: 'Statistics' }).click();
    await page.getByRole('heading', { name: 'Transparency statistics', level: 1 }).waitFor();
    await page.getByLabel('From', { exact: true }).fill(from);
    await page.getByLabel('To (inclusive)', { exact: true }).fill(to);
    await page.getByLabel('Per', { exact: true }).selectOption('month');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/\/console\/statistics\?from=/);
    await page.getByTestId('chart-cases').locator('svg[role="img"]').waitFor();

    const periods = periodsBetween(monthly.from, monthly.to, 'month');
    assert.ok(periods.length >= 11, `about eleven months shown (${periods.join(', ')})`);
    const label = await page.getByTestId('chart-cases').locator('svg[role="img"]').getAttribute('aria-label');
    assert.match(
      label ?? '',
      /^Cases opened\. Cases opened: \d+ in all, most in \d{4}-\d{2}/,
      `spoken summary: ${label}`,
    );
    assert.equal(
      await page.getByTestId('chart-cases').locator('g.chart-bar').count(),
      periods.length,
      'one bar slot per month, empty months included',
    );

    const expectCases = (s: Statistics, j: string) =>
      periods.map((p) => String(s.rows.find((r) => r.period === p && r.jurisdiction === j)?.casesOpened ?? 0));
    const cases = await tableOf(page, 'chart-cases');
    assert.deepEqual(
      cases.rows.map((r) => r[0]),
      periods,
      'the table lists every month',
    );
    assert.deepEqual(
      cases.rows.map((r) => r[1]),
      expectCases(monthly, 'ALL'),
      'the table holds the server’s cases opened per month',
    );
    const total = expectCases(monthly, 'ALL').reduce((a, b) => a + Number(b), 0);
    assert.ok(total > 40, `a year of cases was seeded (${total})`);
    assert.equal(await page.getByTestId('total-cases').innerText(), String(total), 'the total is their sum');

    const reports = await tableOf(page, 'chart-reports');
    assert.deepEqual(
      reports.head,
      ['Period', 'NCA', 'NCMEC', 'Police (DSA Art. 18)'],
      'a column per authority, DSA notifications among them',
    );
    const ncmecColumn = reports.rows.map((r) => Number(r[2]));
    const ncmecExpected = periods.map((p) => {
      const row = monthly.rows.find((r) => r.period === p && r.jurisdiction === 'ALL');
      return Object.values(row?.reportsByAuthority.ncmec ?? {}).reduce((a, b) => a + b, 0);
    });
    assert.deepEqual(ncmecColumn, ncmecExpected, 'NCMEC reports per month, priorities together');
    const times = await tableOf(page, 'chart-times');
    assert.equal(times.head[1], 'Detection to action, median');
    const firstMeasured = monthly.rows.find(
      (r) => r.jurisdiction === 'ALL' && r.detectionToAction.medianHours !== null,
    )!;
    const at = times.rows.find((r) => r[0] === firstMeasured.period)!;
    assert.equal(
      Number.parseFloat(at[1]!),
      Number(firstMeasured.detectionToAction.medianHours!.toFixed(1)),
      `the median for ${firstMeasured.period} in hours`,
    );

    // One country: the same charts, that country's numbers.
    await page.getByLabel('Jurisdiction', { exact: true }).selectOption('GB');
    await page.getByTestId('stats-range').filter({ hasText: /^GB/ }).waitFor();
    const gb = await tableOf(page, 'chart-cases');
    assert.deepEqual(
      gb.rows.map((r) => r[1]),
      expectCases(monthly, 'GB'),
      'GB cases per month',
    );
    assert.notDeepEqual(
      gb.rows.map((r) => r[1]),
      cases.rows.map((r) => r[1]),
      'GB is a part, not the whole',
    );

    // Quarters: fewer, larger bars with the server's quarterly numbers.
    await page.getByLabel('Per', { exact: true }).selectOption('quarter');
    await page.getByRole('button', { name: 'Show' }).click();
    const quarterly = await api(`from=${from}&to=${to}&bucket=quarter`);
    const quarters = periodsBetween(quarterly.from, quarterly.to, 'quarter');
    await page
      .locator('[data-testid="chart-cases"] g.chart-bar')
      .nth(quarters.length - 1)
      .waitFor();
    assert.equal(
      await page.getByTestId('chart-cases').locator('g.chart-bar').count(),
      quarters.length,
      'a bar per quarter',
    );
    const q = await tableOf(page, 'chart-cases');
    assert.deepEqual(
      q.rows.map((r) => r[1]),
      quarters.map((p) =>
        String(quarterly.rows.find((r) => r.period === p && r.jurisdiction === 'GB')?.casesOpened ?? 0),
      ),
      'the chosen jurisdiction stays while the period changes',
    );

    // The CSV download is the same numbers, one per line.
    const href = await page.getByTestId('stats-csv').getAttribute('href');
    const csv = await page.evaluate(async (url) => (await fetch(url!)).text(), href);
    assert.equal(csv.split('\n')[0], 'period,jurisdiction,metric,key,value', 'the CSV header');
    const gbLine = csv.split('\n').find((l) => l.startsWith(`${quarters[0]},GB,cases_opened,`));
    assert.equal(gbLine?.split(',')[4], q.rows[0]![1], 'the CSV says what the table says');

    // A range the wrong way round is named, not drawn.
    await page.getByLabel('From', { exact: true }).fill(to);
    await page.getByLabel('To (inclusive)', { exact: true }).fill(from);
    await page.getByRole('button', { name: 'Show' }).click();
    const err = await page.getByTestId('stats-error').innerText();
    assert.match(err, /from: must be before to/, `the problem is named (${err})`);
    assert.equal(env.cspViolations.length, 0, `no CSP violations (${env.cspViolations.join('; ')})`);
    await context.close();
  });
});
