import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HASHES_AT_ONCE, HASHES_QUEUED, hashPassword } from '../../server/auth/secrets.ts';
import { RateLimited } from '../../server/ledger/errors.ts';
import { createTestApp, type TestApp } from '../helpers.ts';

// Behind the shipped nginx (TRUST_PROXY=1): nginx appends the address it saw to whatever
// X-Forwarded-For the client sent, so the last entry is real and earlier ones are the client's word.
let t: TestApp;
let url: string;
beforeAll(async () => {
  t = await createTestApp({ env: { TRUST_PROXY: '1' } });
  url = (await t.app.start()).url;
});
afterAll(() => t.close());

const LOG_IN = `mutation($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { __typename ... on RateLimited { retryAfterSeconds } } }`;

async function logIn(email: string, password: string, forwardedFor: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ query: LOG_IN, variables: { email, password } }),
  });
  return ((await response.json()) as { data: { logIn: { __typename: string } } }).data.logIn.__typename;
}

async function signUp(email: string) {
  await t.ok(
    `mutation($email: String!) { signUp(teamName: "T", name: "N", email: $email, password: "right password") { __typename } }`,
    { email },
  );
}

describe('client address behind a proxy', () => {
  it('a forged X-Forwarded-For entry does not reset the login throttle', async () => {
    await signUp('forged@example.com');
    for (let i = 0; i < 10; i++) {
      // A new made-up address each time, left of the one our proxy appended.
      expect(await logIn('forged@example.com', 'wrong guess', `198.51.100.${i}, 203.0.113.7`)).toBe(
        'InvalidCredentials',
      );
    }
    expect(await logIn('forged@example.com', 'right password', '198.51.100.99, 203.0.113.7')).toBe('RateLimited');
    // Someone else, at another address, is not locked out of the same account.
    expect(await logIn('forged@example.com', 'right password', '203.0.113.8')).toBe('LoginPayload');
  });
});

describe('the login cookie behind a TLS-terminating proxy', () => {
  it('is __Host- prefixed and Secure over https; a cookie from before (old name) still logs in', async () => {
    await signUp('cookie@example.com');
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-proto': 'https',
        cookie: 'punchcard_session=old-login-token',
      },
      body: JSON.stringify({
        query: `mutation { logIn(email: "cookie@example.com", password: "right password") { ... on LoginPayload { token } } }`,
      }),
    });
    const cookies = response.headers.getSetCookie();
    const login = cookies.find((c) => c.startsWith('__Host-punchcard_session='));
    expect(login).toMatch(/; Path=\/; .*Secure.*HttpOnly/);
    expect(login).not.toMatch(/Domain=/i);
    // The old name is cleared, so the browser keeps one login cookie.
    expect(cookies.find((c) => c.startsWith('punchcard_session='))).toMatch(/Expires=Thu, 01 Jan 1970/);
    const token = (await response.json()).data.logIn.token;
    for (const cookie of [`__Host-punchcard_session=${token}`, `punchcard_session=${token}`]) {
      const me = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ query: '{ me { member { email } } }' }),
      });
      expect((await me.json()).data.me.member.email, cookie).toBe('cookie@example.com');
    }
  });
});

describe('password spraying', () => {
  it('one address trying many emails is stopped after 50 attempts, before hashing any more', async () => {
    const answers = await Promise.all(
      Array.from({ length: 64 }, (_, i) => logIn(`sprayed-${i}@example.com`, 'Summer2026!', '203.0.113.50')),
    );
    // At most 50 were hashed; the rest were refused by the throttle (or the full hash queue).
    expect(answers.filter((a) => a === 'InvalidCredentials').length).toBeLessThanOrEqual(50);
    expect(answers.filter((a) => a !== 'InvalidCredentials').every((a) => a === 'RateLimited')).toBe(true);
    expect(await logIn('sprayed-65@example.com', 'Summer2026!', '203.0.113.50')).toBe('RateLimited');
    // A right password from that address waits too; from another address it works.
    await signUp('sprayed-victim@example.com');
    expect(await logIn('sprayed-victim@example.com', 'right password', '203.0.113.50')).toBe('RateLimited');
    expect(await logIn('sprayed-victim@example.com', 'right password', '203.0.113.51')).toBe('LoginPayload');
  });

  it('right passwords give their attempt back: a busy studio wifi is not locked out', async () => {
    await signUp('busy@example.com');
    for (let i = 0; i < 60; i++)
      expect(await logIn('busy@example.com', 'right password', '203.0.113.60')).toBe('LoginPayload');
  });
});

describe('password hashing', () => {
  it(`runs ${HASHES_AT_ONCE} hash(es) at once and queues at most ${HASHES_QUEUED}; a flood beyond is refused at once`, async () => {
    const flood = await Promise.allSettled(
      Array.from({ length: HASHES_QUEUED + 10 }, () => hashPassword('flood password')),
    );
    const refused = flood.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThanOrEqual(10 - HASHES_AT_ONCE);
    expect(flood.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(HASHES_QUEUED + HASHES_AT_ONCE);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(RateLimited);
  });
});
