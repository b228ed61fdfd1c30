import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LOGIN_COOKIE } from '../../server/app.ts';
import { FaultProxy } from '../reliability/support/fault-proxy.ts';
import { launchChromium, type Stack, startStack } from './harness.ts';

/**
 * The live views on a bad network, in real Chromium: a dashboard opened fresh catches up on what
 * happened while it was offline, and a link that goes silent (a proxy that stops forwarding, no
 * `offline` event) is noticed and caught up on, each change shown exactly once.
 */

let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchChromium()]);
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  for (const proxy of proxies) await proxy.close();
  await browser?.close();
  await stack?.close();
});

async function gql(query: string, variables: Record<string, unknown>, token: string) {
  const response = await fetch(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return Object.values(body.data)[0] as any;
}

let studios = 0;
/** A studio with one client holding 20 credits, and a way to log sessions for it "elsewhere". */
async function studio() {
  const n = ++studios;
  const { token } = await gql(
    `mutation($email: String!) { signUp(teamName: "Live ${n}", name: "Olga Owner", email: $email, password: "long enough") {
      ... on LoginPayload { token } } }`,
    { email: `owner${n}@live.test` },
    '',
  );
  const client = await gql(
    `mutation { createClient(input: { name: "Nina Network" }) { ... on Client { id } } }`,
    {},
    token,
  );
  await gql(
    `mutation($c: ID!) { createPackage(input: { clientId: $c, name: "20 Pack", credits: 20 }) { __typename } }`,
    { c: client.id },
    token,
  );
  return {
    token,
    /** Logs a session from another device; returns the balance after it. */
    async log(): Promise<number> {
      const r = await gql(
        `mutation($c: ID!) { logSession(input: { clientId: $c, status: COMPLETED }) { ... on SessionPayload { balance } } }`,
        { c: client.id },
        token,
      );
      return r.balance;
    },
  };
}

/** A fresh browser, logged in as the studio's owner, on the dashboard at `origin`. */
async function dashboard(token: string, origin = stack.url): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'UTC' });
  contexts.push(context);
  await context.addCookies([{ name: LOGIN_COOKIE, value: token, url: origin }]);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => console.error(`[browser] ${error.message}`));
  await page.goto(`${origin}/dashboard`);
  await page.getByRole('heading', { name: 'Live activity' }).waitFor();
  await expect.poll(() => badge(page)).toBe('live');
  return page;
}

const badge = (page: Page) => page.locator('.live').getAttribute('data-status');
const feedLines = (page: Page) => page.getByRole('list', { name: 'Live activity' }).locator('li').allTextContents();
/** The balances of the "Used 1 credit" lines in the feed, newest first. */
async function usedBalances(page: Page): Promise<number[]> {
  return (await feedLines(page))
    .map((line) => line.match(/Used 1 credit · balance (\d+)/)?.[1])
    .filter((b): b is string => b != null)
    .map(Number);
}

it('a dashboard opened fresh, offline while 5 sessions are logged elsewhere, shows each of them once when back', async () => {
  const s = await studio();
  const page = await dashboard(s.token);
  expect(await usedBalances(page)).toEqual([]); // no event seen live yet: only the first load

  await page.context().setOffline(true);
  await expect.poll(() => badge(page)).toBe('offline');
  const balances: number[] = [];
  for (let i = 0; i < 5; i++) balances.push(await s.log());
  expect(balances).toEqual([19, 18, 17, 16, 15]);

  const back = Date.now();
  await page.context().setOffline(false);
  await expect.poll(() => usedBalances(page), { timeout: 15_000 }).toEqual([15, 16, 17, 18, 19]);
  const caughtUp = Date.now() - back;
  await expect.poll(() => badge(page)).toBe('live');
  // Still exactly once after the stream settled: one more live change comes in on top, alone.
  expect(await s.log()).toBe(14);
  await expect.poll(() => usedBalances(page)).toEqual([14, 15, 16, 17, 18, 19]);
  console.log(`offline → online: the 5 missed entries shown ${caughtUp} ms after the network came back`);
});

it('a link that goes silent leaves "Live" within 15 s, and everything missed arrives once when it returns', async () => {
  const s = await studio();
  const target = new URL(stack.url);
  const proxy = new FaultProxy(target.hostname, Number(target.port));
  proxies.push(proxy);
  await proxy.listen();
  const page = await dashboard(s.token, `http://127.0.0.1:${proxy.port}`);

  proxy.set('blackhole'); // packets vanish both ways; the browser sees no `offline` event
  const silent = Date.now();
  expect(await s.log()).toBe(19);
  expect(await s.log()).toBe(18);
  await expect.poll(() => badge(page), { timeout: 15_000, interval: 100 }).toBe('reconnecting');
  const noticed = Date.now() - silent;
  expect(noticed).toBeLessThan(15_000);
  expect(await usedBalances(page)).toEqual([]);
  for (let i = 0; i < 3; i++) await s.log();

  proxy.set('up');
  const restored = Date.now();
  await expect.poll(() => usedBalances(page), { timeout: 30_000 }).toEqual([15, 16, 17, 18, 19]);
  const caughtUp = Date.now() - restored;
  await expect.poll(() => badge(page)).toBe('live');
  expect(await s.log()).toBe(14);
  await expect.poll(() => usedBalances(page)).toEqual([14, 15, 16, 17, 18, 19]);
  console.log(
    `silent link: badge left "Live" after ${noticed} ms; the 5 missed entries shown ${caughtUp} ms after the link returned`,
  );
});
