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

  it('someone with an account is sent through the login page to accept an invitation', async () => {
    const gql = async (query: string, variables: Record<string, unknown>, token?: string) =>
      (
        await stack.app.yoga.fetch('http://localhost/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query, variables }),
        })
      ).json();
    const signUp = `mutation($email: String!, $team: String!) { signUp(teamName: $team, name: "N", email: $email, password: "correct horse") { ... on LoginPayload { token } } }`;
    const owner = (await gql(signUp, { email: 'owner@join.test', team: 'Harbour Yoga' })).data.signUp.token;
    await gql(signUp, { email: 'kim@join.test', team: 'Kim Studio' });
    const invite = await gql(
      `mutation { inviteMember(email: "kim@join.test", role: TRAINER) { ... on InvitationPayload { token } } }`,
      {},
      owner,
    );
    const page = await browser.newPage();
    await page.goto(`${stack.url}/join?token=${invite.data.inviteMember.token}`);
    await page.getByLabel('Your name').fill('Kim');
    await page.getByLabel('Choose a password').fill('some guess here');
    await page.getByRole('button', { name: 'Join team' }).click();
    await page.getByRole('link', { name: 'Log in to accept it' }).click();
    await page.getByLabel('Email').fill('kim@join.test');
    await page.getByLabel('Password').fill('correct horse');
    await page.getByRole('button', { name: 'Log in' }).click();
    // Back on the invitation, as Kim: no password asked.
    await page.getByText('You accept as kim@join.test').waitFor();
    await page.getByRole('button', { name: 'Join team' }).click();
    await page.getByRole('heading', { name: 'Clients' }).waitFor();
    const memberships = await stack.db.prisma.member.findMany({ where: { user: { email: 'kim@join.test' } } });
    expect(memberships).toHaveLength(2);
    await page.close();
  });

  it('an owner sees pending invitations in Settings and revokes one', async () => {
    const gql = async (query: string, token?: string) =>
      (
        await stack.app.yoga.fetch('http://localhost/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query }),
        })
      ).json();
    const owner = (
      await gql(
        `mutation { signUp(teamName: "Revoke Studio", name: "Rae", email: "rae@revoke.test", password: "correct horse") { ... on LoginPayload { token } } }`,
      )
    ).data.signUp.token;
    await gql(`mutation { inviteMember(email: "pending@revoke.test", role: ADMIN) { __typename } }`, owner);
    const page = await browser.newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${stack.url}/login`);
    await page.getByLabel('Email').fill('rae@revoke.test');
    await page.getByLabel('Password').fill('correct horse');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Clients' }).waitFor();
    await page.getByRole('link', { name: 'Settings' }).click();
    const pending = page.getByRole('list', { name: 'Pending invitations' });
    await pending.getByText('pending@revoke.test').waitFor();
    await expect(pending.textContent()).resolves.toMatch(/Admin.*invited by Rae.*expires/);
    await pending.getByRole('button', { name: 'Revoke' }).click();
    await pending.waitFor({ state: 'detached' });
    const row = await stack.db.prisma.invitation.findFirstOrThrow({ where: { email: 'pending@revoke.test' } });
    expect(row.revokedAt).not.toBeNull();
    await page.close();
  });
});
