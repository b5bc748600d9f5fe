// The console as a moderator meets it: the current sources built with Vite into a temp dir, the real
// service (SQLite store) serving it, staff accounts, and cases the real engine opened from events sent
// through /v1/events. Used by the browser tests and by scripts/screenshots.ts.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { environmentSkip } from '@lifeguard/storage/testing';
import { SqliteStorage } from '@lifeguard/storage';
import { buildServer, createKey, type ServiceConfig } from '@lifeguard/service';
import { createStaff } from '@lifeguard/service';
import type { FastifyInstance } from 'fastify';

export const CHROMIUM = process.env.LIFEGUARD_CHROMIUM ?? '/usr/bin/chromium';
const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Why the browser tests cannot run here: null when Chromium is installed. */
export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  return (
    `Chromium not found at ${CHROMIUM}. Install it (Debian/Ubuntu: \`apt-get update && apt-get install -y chromium\`) ` +
    'or point LIFEGUARD_CHROMIUM at another Chromium binary to run the browser tests.'
  );
}

/** Why the browser tests skip here (missing Chromium, or LIFEGUARD_SKIP_BROWSER=1), or undefined when they run. */
export const browserSkip: string | undefined =
  process.env.LIFEGUARD_SKIP_BROWSER === '1'
    ? 'LIFEGUARD_SKIP_BROWSER=1: browser tests skipped'
    : environmentSkip('Chromium', chromiumMissing());

export async function launchChromium(): Promise<Browser> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/** Builds the console from the current sources into `outDir` (never the checked-in dist). */
export async function buildConsole(outDir: string): Promise<void> {
  await build({
    root: PKG,
    configFile: join(PKG, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  // Benign pictures for the media tests: flat SVG landscapes, served beside the app.
  const media = join(outDir, 'test-media');
  mkdirSync(media, { recursive: true });
  writeFileSync(join(media, 'meadow.svg'), landscape('#9ccbe8', '#6aa84f', '#f4d35e'));
  writeFileSync(join(media, 'lake.svg'), landscape('#c7dff2', '#4f86b0', '#ffffff'));
}

function landscape(sky: string, ground: string, sun: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200" viewBox="0 0 320 200">` +
    `<rect width="320" height="200" fill="${sky}"/><circle cx="250" cy="55" r="26" fill="${sun}"/>` +
    `<path d="M0 140 Q80 100 160 135 T320 125 V200 H0 Z" fill="${ground}"/></svg>`
  );
}

export const PASSWORD = 'correct horse battery staple';
export const STAFF = {
  admin: { email: 'robin.park@example.org', name: 'Robin Park', role: 'admin' },
  specialist: { email: 'jordan.lee@example.org', name: 'Jordan Lee', role: 'specialist' },
  moderator: { email: 'priya.shah@example.org', name: 'Priya Shah', role: 'moderator' },
  moderator2: { email: 'tom.berg@example.org', name: 'Tom Berg', role: 'moderator' },
} as const;
export type StaffKey = keyof typeof STAFF;

export const TENANT = 'acme';
const DAY = 86_400_000;

export interface Scenario {
  accused: string;
  accusedAge: number;
  child: string;
  childAge: number;
  /** Messages in order; `from: 'a'` is the accused, `'c'` the child. */
  chat: { from: 'a' | 'c'; text: string; media?: string[] }[];
  /** Hours ago the conversation started (older cases wait longer). */
  hoursAgo: number;
  /** Do not fail when the engine opens no case for it (screenshots: a borderline conversation). */
  optional?: boolean;
}

/** A grooming approach (non-explicit indicators only: age questions, flattery, secrecy, platform move, gifts, a meeting). */
export const GROOMING: Scenario['chat'] = [
  { from: 'a', text: 'hey saw ur drawing in the art group, ur really talented' },
  { from: 'c', text: 'thanks :) who r u' },
  { from: 'a', text: 'just a fan of ur art lol. how old r u?' },
  { from: 'c', text: 'im 13' },
  { from: 'a', text: 'oh cool. age is just a number right. ur so mature for 13' },
  { from: 'a', text: 'do ur parents check ur phone?' },
  { from: 'c', text: 'sometimes my mom does' },
  { from: 'a', text: 'lets keep this between us ok? they wouldnt get it. delete our chat after' },
  { from: 'a', text: 'add me on snap its easier to talk there' },
  { from: 'a', text: 'i can send u a $25 gift card if u want' },
  { from: 'a', text: 'send me a pic of u so i know ur real' },
  { from: 'a', text: 'we could meet at the mall saturday, i can pick u up. just tell ur mom ur at a friends' },
];

export const XSS_TEXT = 'look at this <script>window.__pwned=1</script> and <img src=x onerror="window.__pwned=1"> lol';

export interface ConsoleEnv {
  base: string;
  app: FastifyInstance;
  storage: SqliteStorage;
  apiKey: string;
  browser: Browser;
  /** Case ids by accused account. */
  cases: Record<string, string>;
  dir: string;
  /** Content-Security-Policy violations any page reported (the console must need no inline script or style). */
  cspViolations: string[];
  /** A fresh browser context signed in as this staff member (through the sign-in form). */
  signIn(
    who: StaffKey,
    opts?: { viewport?: { width: number; height: number } },
  ): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** `server`: extra service configuration (risk models, engine thresholds). */
export async function startConsoleEnv(
  scenarios: Scenario[],
  opts: {
    browser?: boolean;
    server?: Partial<ServiceConfig>;
    reporting?: Parameters<typeof buildServer>[0]['reporting'];
  } = {},
): Promise<ConsoleEnv> {
  const browser = opts.browser === false ? (null as unknown as Browser) : await launchChromium();
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-console-'));
  let app: FastifyInstance | null = null;
  let storage: SqliteStorage | null = null;
  try {
    const dist = join(dir, 'dist');
    await buildConsole(dist);
    storage = new SqliteStorage({ path: join(dir, 'console.db') });
    await storage.migrate();
    const { key } = await createKey(storage, TENANT, 'platform', ['admin'], 'Acme Chat');
    app = await buildServer({
      ...opts.server,
      storage,
      webhooks: false,
      console: { dir: dist },
      ...(opts.reporting ? { reporting: opts.reporting } : {}),
    });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });

    // The first admin comes from the bootstrap path (the CLI's); everyone else through the staff API.
    await createStaff({ storage }, TENANT, { ...STAFF.admin, password: PASSWORD }, { system: 'bootstrap' });
    const admin = await apiSession(base, STAFF.admin.email);
    for (const k of ['specialist', 'moderator', 'moderator2'] as const) {
      await admin.call('POST', '/console/api/staff', { ...STAFF[k], password: PASSWORD });
    }

    const cases: Record<string, string> = {};
    for (const s of scenarios) {
      const id = await seedScenario(base, key, s);
      if (id) cases[s.accused] = id;
    }

    const cspViolations: string[] = [];
    const env: ConsoleEnv = {
      cspViolations,
      base,
      app,
      storage,
      apiKey: key,
      browser,
      cases,
      dir,
      async signIn(who, o = {}) {
        const context = await browser.newContext({
          baseURL: base,
          viewport: o.viewport ?? { width: 1440, height: 900 },
        });
        // Fail in seconds, not Playwright's default 30 s, when something the test waits for never shows.
        context.setDefaultTimeout(10_000);
        const page = await context.newPage();
        page.on('console', (m) => {
          if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
        });
        await page.goto('/console/');
        await page.getByLabel('Work email').fill(STAFF[who].email);
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByTestId('signed-in-as').waitFor();
        return { context, page };
      },
      async close() {
        await browser?.close().catch(() => {});
        await app?.close().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return env;
  } catch (err) {
    await browser?.close().catch(() => {});
    await app?.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** A console API session outside the browser (cookie + CSRF token), for seeding and for checking the server's answers. */
export async function apiSession(base: string, email: string) {
  const res = await fetch(`${base}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`sign-in as ${email} answered ${res.status}: ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return {
    cookie,
    // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely and check their shape by assertion
    async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: {
          cookie,
          'x-csrf-token': csrfToken,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      if (!r.ok && r.status !== 403 && r.status !== 404 && r.status !== 409)
        throw new Error(`${method} ${path} answered ${r.status}: ${text}`);
      return { status: r.status, body: text ? JSON.parse(text) : null };
    },
  };
}

/** A call to the platform API (/v1) with an API key. */
// biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely and check their shape by assertion
export async function v1(base: string, key: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Sends a scenario through /v1/events and waits for the engine to open its case; returns the case id. */
export async function seedScenario(base: string, key: string, s: Scenario): Promise<string | null> {
  const start = Date.now() - s.hoursAgo * 3_600_000;
  const conversationId = `dm-${s.accused}-${s.child}`;
  const events: unknown[] = [
    {
      type: 'account',
      id: `acc-${s.child}`,
      time: start - 1000,
      userId: s.child,
      age: s.childAge,
      country: 'GB',
      createdAt: start - 400 * DAY,
    },
    {
      type: 'account',
      id: `acc-${s.accused}`,
      time: start - 1000,
      userId: s.accused,
      age: s.accusedAge,
      country: 'GB',
      createdAt: start - 3 * DAY,
    },
    ...s.chat.map((m, i) => ({
      type: 'message',
      id: `${conversationId}-${i + 1}`,
      time: start + i * 90_000,
      conversationId,
      senderId: m.from === 'a' ? s.accused : s.child,
      recipientIds: [m.from === 'a' ? s.child : s.accused],
      text: m.text,
      ...(m.media ? { attachments: m.media.map((ref) => ({ kind: 'image', ref })) } : {}),
    })),
  ];
  await v1(base, key, 'POST', '/v1/events', { events });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { cases } = await v1(base, key, 'GET', `/v1/cases?accusedId=${encodeURIComponent(s.accused)}&limit=5`);
    if (cases.length > 0) return cases[0].id as string;
    if (Date.now() > deadline) {
      if (s.optional) return null;
      throw new Error(`the engine opened no case for ${s.accused} within 20 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
