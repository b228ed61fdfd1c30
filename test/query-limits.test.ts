import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, studio, type TestApp } from './helpers.ts';

/** The page size docs/API.md promises, with every field it documents, fits the query limits. */
const ENTRY_FIELDS = `id sequence event amount balanceAfter note actorName actorKind createdAt
  package { id name } sessionType { id name } session { id status startsAt } actor { id }`;
const HISTORY_PAGE = `query($clientId: ID!) { balanceHistory(clientId: $clientId, first: 500) {
  edges { cursor node { ${ENTRY_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const CLIENT_FIELDS = `id name email phone billingType archived totalRemainingCredits lowCredits createdAt
  creditBalances { remainingCredits }
  packages { id name totalCredits remainingCredits expiredCredits expiresOn state barColor priceCents createdAt sessionType { id name } }`;
const CLIENTS_PAGE = `{ clients(first: 500) { edges { cursor node { ${CLIENT_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;

let t: TestApp;
let s: Awaited<ReturnType<typeof studio>>;
let clientId: string;
beforeAll(async () => {
  t = await createTestApp();
  s = await studio(t);
  clientId = await s.client();
  await s.package(clientId, { credits: 3 });
  await s.log(clientId);
});
afterAll(() => t.close());

async function post(query: string, variables: Record<string, unknown> = {}) {
  const response = await t.app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

describe('query limits', () => {
  it('accepts a 500-item balanceHistory page with every documented entry field', async () => {
    const { body } = await post(HISTORY_PAGE, { clientId });
    expect(body.errors).toBeUndefined();
    expect(body.data.balanceHistory.edges.map((e: { node: { event: string } }) => e.node.event)).toEqual([
      'USED',
      'ISSUED',
    ]);
  });

  it('accepts a 500-item clients page with packages', async () => {
    const { body } = await post(CLIENTS_PAGE);
    expect(body.errors).toBeUndefined();
    expect(body.data.clients.edges[0].node.packages).toHaveLength(1);
  });

  it('refuses twenty 500-item pages in one request with QueryTooComplex and what to change', async () => {
    const pages = Array.from(
      { length: 20 },
      (_, i) => `p${i}: clients(first: 500) { edges { node { ${CLIENT_FIELDS} } } }`,
    );
    const { status, body } = await post(`{ ${pages.join(' ')} }`);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors[0].extensions.code).toBe('QueryTooComplex');
    expect(body.errors[0].message).toMatch(
      /^Query Cost limit of 50000 exceeded, found \d+\. Ask for fewer items per page/,
    );
    expect(body.errors[0].message).not.toMatch(/Syntax Error/);
  });

  it('refuses a query nested too deep with QueryTooComplex', async () => {
    let selection = 'id';
    for (let i = 0; i < 7; i++) selection = `client { packages { ${selection} } }`;
    const { status, body } = await post(`{ clients(first: 1) { edges { node { packages { ${selection} } } } } }`);
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('QueryTooComplex');
    expect(body.errors[0].message).toMatch(/depth limit of 12 exceeded.*Select fewer nested levels/);
  });

  it('refuses too many aliases with QueryTooComplex', async () => {
    const aliases = Array.from({ length: 21 }, (_, i) => `a${i}: clients(first: 1) { edges { cursor } }`).join(' ');
    const { body } = await post(`{ ${aliases} }`);
    expect(body.errors[0].extensions.code).toBe('QueryTooComplex');
    expect(body.errors[0].message).toMatch(/Aliases limit of 20 exceeded.*fewer aliases/);
  });
});
