import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODES_MAX_IDS } from '../../schema/builder.ts';
import { globalId } from '../../schema/ids.ts';
import { schema } from '../../schema/index.ts';
import { BULK_LOG_MAX_CLIENTS } from '../../server/ledger/sessions.ts';
import { listInputs } from '../../server/list-limits.ts';
import { createTestApp, ERR, studio, type TestApp } from '../helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const ids = (n: number) =>
  Array.from({ length: n }, (_, i) => globalId('Client', `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`));

describe('list arguments have a maximum', () => {
  it('every list argument and list input field states its maximum in the SDL', () => {
    const lists = listInputs(schema);
    expect(lists.map((l) => l.path)).toContain('Query.nodes(ids)');
    expect(lists.map((l) => l.path)).toContain('BulkLogSessionsInput.clientIds');
    for (const { path, def } of lists) {
      const max = def.extensions?.maxItems;
      expect(max, path).toBeGreaterThan(0);
      expect(def.description, path).toContain(`At most ${max} items.`);
    }
  });

  it(`refuses 60,000 IDs in nodes(ids:) without logging in, as InvalidInput, before any lookup`, async () => {
    const result = await t.gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: ids(60_000) });
    expect(result.data).toBeUndefined();
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: `ids takes at most ${NODES_MAX_IDS} items (got 60000); split the request.`,
        extensions: expect.objectContaining({ code: 'InvalidInput', field: 'ids', maxItems: NODES_MAX_IDS }),
      }),
    ]);
  });

  it('counts lists written inline too, and takes a list at its maximum', async () => {
    const inline = `{ nodes(ids: [${ids(NODES_MAX_IDS + 1)
      .map((id) => JSON.stringify(id))
      .join(',')}]) { id } }`;
    expect((await t.gql(inline)).errors?.[0].extensions).toMatchObject({ code: 'InvalidInput', field: 'ids' });
    const s = await studio(t);
    const atMax = await t.gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: ids(NODES_MAX_IDS) }, s.token);
    expect(atMax.errors).toBeUndefined();
    expect(atMax.data?.nodes).toHaveLength(NODES_MAX_IDS);
  });

  it('refuses a bulk log for too many clients inside an input variable, writing nothing', async () => {
    const s = await studio(t);
    const clientId = await s.client();
    await s.package(clientId);
    const clientIds = [clientId, ...ids(BULK_LOG_MAX_CLIENTS)];
    const result = await t.gql(
      `mutation($input: BulkLogSessionsInput!) { bulkLogSessions(input: $input) { __typename ${ERR} } }`,
      { input: { clientIds, status: 'COMPLETED', sessionTypeId: s.sessionTypeId } },
      s.token,
    );
    expect(result.errors?.[0].extensions).toMatchObject({
      code: 'InvalidInput',
      field: 'clientIds',
      maxItems: BULK_LOG_MAX_CLIENTS,
    });
    expect(await t.db.prisma.session.count()).toBe(0);
  });
});
