import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, launchChromium, type Stack, startStack } from './harness.ts';

let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** Opens a page and records CSP violations and any request that leaves our origin. */
async function open(path: string) {
  const page = await browser.newPage();
  const violations: string[] = [];
  const foreign: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (/^https?:$/.test(url.protocol) && url.origin !== stack.url) foreign.push(r.url());
  });
  const response = await page.goto(`${stack.url}${path}`);
  return { page, response, violations, foreign };
}

describe('served as a browser sees it', () => {
  it('GraphiQL comes from the installed package, works under its CSP and loads nothing from elsewhere', async () => {
    const { page, response, violations, foreign } = await open('/graphql');
    expect(response?.headers()['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    // Rendered by its own inline script, editors (blob workers) included.
    await page.locator('.graphiql-container').first().waitFor({ timeout: 30_000 });
    await page.locator('.monaco-editor').first().waitFor({ timeout: 30_000 });
    expect(violations).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  }, 60_000);

  it('the web app runs under its CSP and refuses to be framed; the balance page may be framed', async () => {
    const { page, response, violations } = await open('/login');
    expect(response?.headers()).toMatchObject({
      'x-content-type-options': 'nosniff',
      'content-security-policy': expect.stringMatching(/frame-ancestors 'none'/),
    });
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(violations).toEqual([]);
    await page.close();
    const share = await fetch(`${stack.url}/b/abcdefghijklmnopqrstuv`);
    expect(share.headers.get('content-security-policy')).not.toMatch(/frame-ancestors/);
    expect(share.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('the production build has no source maps', async () => {
    const files = readdirSync(DIST, { recursive: true }).map(String);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      expect(readFileSync(join(DIST, file), 'utf8'), file).not.toContain('sourceMappingURL');
    }
    expect((await fetch(`${stack.url}/assets/index.js.map`)).status).toBe(404);
  });
});
