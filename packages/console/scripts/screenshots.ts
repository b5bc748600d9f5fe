// Writes docs/screenshots/queue.png and docs/screenshots/case.png (1440x900) from the real service and
// engine: the same seeding as the browser tests, with a few cases. Run: npm run screenshots -w @lifeguard/console
// Everything shown is invented and non-explicit; the one picture stays a blurred placeholder.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiSession, GROOMING, STAFF, startConsoleEnv, v1, type Scenario } from '../test/harness.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const out = join(root, 'docs', 'screenshots');

const SCENARIOS: Scenario[] = [
  {
    accused: 'rick_j',
    accusedAge: 34,
    child: 'mia',
    childAge: 13,
    hoursAgo: 5,
    chat: [
      ...GROOMING.slice(0, 9),
      { from: 'c', text: 'this is my cat', media: ['upload-5521'] },
      ...GROOMING.slice(9),
    ],
  },
  {
    accused: 'nightowl_77',
    accusedAge: 22,
    child: 'ella',
    childAge: 12,
    hoursAgo: 1,
    chat: [
      { from: 'a', text: 'hey ur cute, how old r u' },
      { from: 'c', text: 'im 12' },
      { from: 'a', text: 'dont tell ur parents we talk ok' },
      { from: 'a', text: 'i have ur pics and i recorded our call' },
      { from: 'a', text: 'pay me $200 in gift cards or i send them to all ur friends and ur school' },
      { from: 'c', text: 'please dont im scared' },
      { from: 'a', text: 'u have 30 minutes' },
    ],
  },
  {
    accused: 'coach_dan',
    accusedAge: 41,
    child: 'zoe',
    childAge: 14,
    hoursAgo: 9,
    chat: [
      { from: 'a', text: 'great game today! how old are you now?' },
      { from: 'c', text: '14' },
      { from: 'a', text: 'youre so mature for your age' },
      { from: 'a', text: 'i can buy you the new boots, just dont tell your mom' },
      { from: 'a', text: 'text me on whatsapp instead, its private' },
      { from: 'a', text: 'i can pick you up after practice, just us' },
    ],
  },
  {
    accused: 'tutor_mike',
    accusedAge: 45,
    child: 'ava',
    childAge: 11,
    hoursAgo: 3,
    chat: [
      { from: 'a', text: 'ur so smart and pretty' },
      { from: 'a', text: 'how old are you?' },
      { from: 'c', text: '11' },
      { from: 'a', text: 'this is our secret ok' },
      { from: 'a', text: 'are you home alone after school?' },
    ],
  },
  {
    accused: 'bigbro_game',
    accusedAge: 19,
    child: 'noah',
    childAge: 14,
    hoursAgo: 7,
    optional: true,
    chat: [
      { from: 'a', text: 'how old r u' },
      { from: 'c', text: '14' },
      { from: 'a', text: 'add me on insta its easier' },
      { from: 'a', text: 'dont tell ur parents about me' },
    ],
  },
  {
    accused: 'lena_x',
    accusedAge: 24,
    child: 'sam',
    childAge: 15,
    hoursAgo: 4,
    optional: true,
    chat: [
      { from: 'a', text: 'i have ur pics' },
      { from: 'a', text: 'send $100 or i post them everywhere' },
      { from: 'c', text: 'please dont' },
    ],
  },
  {
    accused: 'gamerx',
    accusedAge: 27,
    child: 'leo',
    childAge: 15,
    hoursAgo: 26,
    optional: true,
    chat: [
      { from: 'a', text: 'gg. asl?' },
      { from: 'c', text: '15 m uk' },
      { from: 'a', text: 'add me on discord its easier there' },
      { from: 'a', text: 'i can send u robux if u want' },
      { from: 'a', text: 'are ur parents home?' },
    ],
  },
];

const env = await startConsoleEnv(SCENARIOS);
try {
  mkdirSync(out, { recursive: true });
  // A queue in use: another moderator is working one case, and one warned account has appealed.
  const tom = await apiSession(env.base, STAFF.moderator2.email);
  await tom.call('POST', `/console/api/cases/${encodeURIComponent(env.cases.coach_dan!)}/claim`);
  if (env.cases.gamerx) {
    const jordan = await apiSession(env.base, STAFF.specialist.email);
    const id = encodeURIComponent(env.cases.gamerx);
    await jordan.call('POST', `/console/api/cases/${id}/claim`);
    const { body } = await jordan.call('GET', `/console/api/cases/${id}`);
    await jordan.call('POST', `/console/api/cases/${id}/decisions`, {
      action: 'warn',
      reason: 'grooming',
      note: 'Asked a 15-year-old to move to Discord and offered Robux.',
      expectedVersion: body.case.version,
    });
    await v1(env.base, env.apiKey, 'POST', '/v1/appeals', {
      accountId: 'gamerx',
      text: 'I was only talking about the game.',
    });
  }
  const { context, page } = await env.signIn('moderator');
  await page.locator('table.queue tbody tr[data-case-id]').first().waitFor();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(out, 'queue.png') });
  console.log(`wrote ${join(out, 'queue.png')}`);

  await page.goto(`/console/cases/${encodeURIComponent(env.cases.rick_j!)}`);
  await page.getByRole('button', { name: /^Claim/ }).click();
  await page.getByTestId('claim-state').filter({ hasText: 'Claimed by you' }).waitFor();
  await page.keyboard.press('w');
  await page.getByTestId('decision-form').waitFor();
  await page.getByTestId('decision-form').getByLabel('Reason').selectOption('grooming');
  await page
    .getByTestId('decision-form')
    .getByLabel(/Note/)
    .fill('Secrecy, a move to Snapchat, a gift offer and a meeting with a 13-year-old.');
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(out, 'case.png') });
  console.log(`wrote ${join(out, 'case.png')}`);
  await context.close();
} finally {
  await env.close();
}
