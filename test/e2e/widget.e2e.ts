import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, type Stack, startStack } from './harness.ts';

/**
 * The client balance widget, as a studio embeds it on its own site: a page on another origin,
 * with hostile CSS, loading /widget.js from Punchcard. And the /b/<token> page itself.
 */

let stack: Stack;
let browser: Browser;
let studioSite: Server;
let studioUrl = '';
let token = '';
let shareToken = '';
let clientId = '';

async function gql(query: string, variables: Record<string, unknown> = {}, bearer = token) {
  const response = await fetch(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return Object.values(body.data)[0] as any;
}

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchChromium()]);
  token = (
    await gql(
      `mutation { signUp(teamName: "Harbour Yoga", name: "O", email: "o@widget.test", password: "long enough") { ... on LoginPayload { token } } }`,
      {},
      '',
    )
  ).token;
  clientId = (await gql(`mutation { createClient(input: { name: "Wendy Widget" }) { ... on Client { id } } }`)).id;
  await gql(
    `mutation($c: ID!) { createPackage(input: { clientId: $c, name: "10-Session Pack", credits: 4 }) { __typename } }`,
    { c: clientId },
  );
  shareToken = (
    await gql(`mutation($c: ID!) { createShareLink(clientId: $c) { ... on ShareLink { token } } }`, { c: clientId })
  ).token;
  // The studio's own website: another origin, with CSS that would wreck an unisolated widget.
  studioSite = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><html><head><style>
      * { color: rgb(255, 0, 0) !important; font-family: serif !important; }
      .card, ul, li, p { display: none !important; }
    </style></head><body><h1>Harbour Yoga</h1>
    <script src="${stack.url}/widget.js" data-token="${shareToken}" async></script></body></html>`);
  });
  await new Promise<void>((r) => studioSite.listen(0, '127.0.0.1', r));
  studioUrl = `http://127.0.0.1:${(studioSite.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => studioSite?.close(r));
  await stack?.close();
});

const widgetText = (page: Page) =>
  page.evaluate(
    () => document.querySelector('.punchcard-balance')?.shadowRoot?.textContent?.replace(/\s+/g, ' ') ?? '',
  );

it('renders on a studio’s own site, untouched by its CSS, and updates live', async () => {
  const page = await browser.newPage();
  await page.goto(studioUrl);
  await expect.poll(() => widgetText(page), { timeout: 10_000 }).toContain('4 credits left');
  const text = await widgetText(page);
  expect(text).toContain('Harbour Yoga');
  expect(text).toContain('Wendy Widget');
  expect(text).toContain('10-Session Pack');
  const style = await page.evaluate(() => {
    const total = document.querySelector('.punchcard-balance')!.shadowRoot!.querySelector('.total')!;
    const s = getComputedStyle(total);
    return { color: s.color, display: s.display };
  });
  expect(style.color).not.toBe('rgb(255, 0, 0)');
  expect(style.display).not.toBe('none');

  await gql(`mutation($c: ID!) { logSession(input: { clientId: $c, status: COMPLETED }) { __typename } }`, {
    c: clientId,
  });
  await expect.poll(() => widgetText(page), { timeout: 5_000 }).toContain('3 credits left');

  await gql(`mutation($c: ID!) { revokeShareLink(clientId: $c) { __typename } }`, { c: clientId });
  await expect.poll(() => widgetText(page), { timeout: 5_000 }).toContain('no longer active');
  await page.close();
});

it('serves the balance page /b/<token> at phone width', async () => {
  const link = (
    await gql(`mutation($c: ID!) { createShareLink(clientId: $c) { ... on ShareLink { path } } }`, { c: clientId })
  ).path;
  const page = await browser.newPage({ viewport: { width: 375, height: 700 } });
  await page.goto(`${stack.url}${link}`);
  await expect.poll(() => widgetText(page), { timeout: 10_000 }).toContain('3 credits left');
  await page.screenshot({ path: 'test-results/screenshots/balance-page-phone.png' });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  expect(overflow).toBe(false);
  await page.close();
});
