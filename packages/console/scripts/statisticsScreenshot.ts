// Writes docs/screenshots/statistics.png (1440x1760): the transparency statistics page over a year of
// invented history (test/statisticsSeed.ts), as a specialist sees it, one table opened.
// Run: npm run screenshots:statistics -w @lifeguard/console
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startConsoleEnv, TENANT } from '../test/harness.ts';
import { seedStatistics } from '../test/statisticsSeed.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const out = join(root, 'docs', 'screenshots');

const env = await startConsoleEnv([]);
try {
  mkdirSync(out, { recursive: true });
  await seedStatistics(env.storage, TENANT);
  const { context, page } = await env.signIn('specialist', { viewport: { width: 1440, height: 1760 } });
  await page.goto('/console/statistics');
  await page.getByTestId('chart-reports').locator('svg[role="img"]').waitFor();
  await page.getByTestId('chart-reports').getByText('Show the numbers as a table').click();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(out, 'statistics.png') });
  console.log(`wrote ${join(out, 'statistics.png')}`);
  await context.close();
} finally {
  await env.close();
}
