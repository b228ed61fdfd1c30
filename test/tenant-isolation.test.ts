import {
  type GraphQLField,
  type GraphQLInputType,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLOutputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawId } from '../schema/ids.ts';
import { schema } from '../schema/index.ts';
import { createTestApp, ERR, studio, type TestApp } from './helpers.ts';

/**
 * Walks every root query, mutation and subscription of the schema — generated from the
 * schema, so a new field is covered the day it is added — as three outsiders of a studio:
 * another team's owner, the studio's own read-only API key, and an anonymous holder of one
 * client's share link; plus the studio's trainer for manager-only mutations. Each call gets
 * the studio's real IDs. Nobody may see the studio's data, and nothing of it may change.
 */

/** Mutations only OWNER/ADMIN may run; every other member mutation is day-to-day work. */
const MANAGER_ONLY = new Set([
  'createSessionType',
  'updateSessionType',
  'archiveSessionType',
  'createPackageTemplate',
  'updatePackageTemplate',
  'deletePackageTemplate',
  'updateTeamSettings',
  'inviteMember',
  'changeMemberRole',
  'removeMember',
  'createApiKey',
  'revokeApiKey',
  'createWebhookEndpoint',
  'deleteWebhookEndpoint',
  'setWebhookEndpointEnabled',
  'replayWebhookEndpoint',
  'redeliverWebhookDelivery',
]);
const MEMBER = new Set([
  'createClient',
  'updateClient',
  'archiveClient',
  'createPackage',
  'issueCredits',
  'removeCredits',
  'logSession',
  'bookSession',
  'cancelSession',
  'setSessionStatus',
  'undoSession',
  'bulkLogSessions',
  'updateLedgerNote',
  'createShareLink',
  'revokeShareLink',
  'markNotificationRead',
  'switchTeam',
]);
/** Anyone may call these; they act on the caller's own credentials or create a new team. */
const PUBLIC = new Set(['signUp', 'logIn', 'logOut', 'acceptInvitation']);

let t: TestApp;
const victimIds = new Map<string, string[]>();
let victim: Awaited<ReturnType<typeof studio>>;
let victimTeamId: string;
let shareToken: string;
let readOnlyKey: string;
let trainerToken: string;
let outsider: Awaited<ReturnType<typeof studio>>;

const remember = (type: string, id: string) => victimIds.set(type, [...(victimIds.get(type) ?? []), id]);

beforeAll(async () => {
  // The victim's webhook endpoint is on loopback: allowed here, as an operator's own network would be.
  t = await createTestApp({ env: { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' } });
  victim = await studio(t);
  victimTeamId = rawId(victim.teamId, 'Team', 'teamId');
  await victim.call(`mutation { updateTeamSettings(input: { name: "Victim Studio" }) { __typename } }`);
  remember('Team', victim.teamId);
  remember('SessionType', victim.sessionTypeId);
  const clientId = await victim.client('Victim Client');
  remember('Client', clientId);
  const packageId = await victim.package(clientId, { name: 'Victim Pack', credits: 10, note: 'victim-ledger-note' });
  remember('Package', packageId);
  const logged = await victim.log(clientId, { notes: 'victim-session-note' });
  remember('Session', logged.session.id);
  const template = await victim.call(
    `mutation { createPackageTemplate(input: { name: "Victim Template", credits: 5 }) { ... on PackageTemplate { id } } }`,
  );
  remember('PackageTemplate', template.id);
  const { edges } = await victim.call(
    `query($c: ID!) { balanceHistory(clientId: $c, first: 5) { edges { node { id } } } }`,
    { c: clientId },
  );
  for (const e of edges) remember('LedgerEntry', e.node.id);
  remember('Member', victim.memberId);
  const invite = await victim.call(
    `mutation { inviteMember(email: "victim-trainer@example.com", role: TRAINER) { ... on InvitationPayload { token } } }`,
  );
  const joined = await t.ok(
    `mutation($token: String!) { acceptInvitation(token: $token, name: "Victim Trainer", password: "trainer-pass") { ... on LoginPayload { token member { id } } } }`,
    { token: invite.token },
  );
  trainerToken = joined.acceptInvitation.token;
  remember('Member', joined.acceptInvitation.member.id);
  const key = await victim.call(
    `mutation { createApiKey(name: "victim-key", scope: READ) { ... on CreatedApiKey { key apiKey { id } } } }`,
  );
  readOnlyKey = key.key;
  remember('ApiKey', key.apiKey.id);
  const hook = await victim.call(
    `mutation { createWebhookEndpoint(url: "http://127.0.0.1:9/victim") { ... on CreatedWebhookEndpoint { endpoint { id } } } }`,
  );
  remember('WebhookEndpoint', hook.endpoint.id);
  await victim.log(clientId); // an event for the endpoint: one delivery (failing: nothing listens there)
  await t.app.webhooks.runOnce();
  const [{ deliveries }] = await victim.call(`query { webhookEndpoints { deliveries { id } } }`);
  remember('WebhookDelivery', deliveries[0].id);
  shareToken = (
    await victim.call(`mutation($c: ID!) { createShareLink(clientId: $c) { ... on ShareLink { token } } }`, {
      c: clientId,
    })
  ).token;
  outsider = await studio(t);
});
afterAll(() => t.close());

/** Everything of the victim's team that a refused call must leave as it was. */
async function victimState() {
  const p = t.db.prisma;
  const where = { teamId: victimTeamId };
  const strip = <T extends object>(rows: T[], ...keys: string[]) =>
    rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !keys.includes(k))));
  return JSON.stringify({
    team: strip([await p.team.findUniqueOrThrow({ where: { id: victimTeamId } })]),
    clients: await p.client.findMany({ where, orderBy: { id: 'asc' } }),
    packages: await p.package.findMany({ where, orderBy: { id: 'asc' } }),
    sessions: strip(await p.session.findMany({ where, orderBy: { id: 'asc' } }), 'updatedAt'),
    entries: await p.ledgerEntry.findMany({ where, orderBy: { sequence: 'asc' } }),
    types: await p.sessionType.findMany({ where, orderBy: { id: 'asc' } }),
    templates: await p.packageTemplate.findMany({ where, orderBy: { id: 'asc' } }),
    members: await p.member.findMany({ where, orderBy: { id: 'asc' } }),
    keys: strip(await p.apiKey.findMany({ where, orderBy: { id: 'asc' } }), 'lastUsedAt'),
    hooks: strip(await p.webhookEndpoint.findMany({ where, orderBy: { id: 'asc' } }), 'leasedUntil'),
    deliveries: await p.webhookDelivery.findMany({ where: { endpoint: where }, orderBy: { id: 'asc' } }),
    links: await p.shareLink.findMany({ where, orderBy: { id: 'asc' } }),
    invitations: await p.invitation.count({ where }),
  });
}

const ID_ARGS: Record<string, string> = {
  clientId: 'Client',
  clientIds: 'Client',
  sessionTypeId: 'SessionType',
  packageId: 'Package',
  templateId: 'PackageTemplate',
  sessionId: 'Session',
  entryId: 'LedgerEntry',
  memberId: 'Member',
  teamId: 'Team',
};
const BY_FIELD = [
  'SessionType',
  'PackageTemplate',
  'WebhookEndpoint',
  'WebhookDelivery',
  'ApiKey',
  'Client',
  'Notification',
];

function idTypeFor(field: string, arg: string): string | null {
  if (ID_ARGS[arg]) return ID_ARGS[arg];
  return BY_FIELD.find((type) => field.toLowerCase().includes(type.toLowerCase())) ?? null;
}

/** A value for an argument, using the victim's IDs wherever an ID is asked for. */
function valueFor(type: GraphQLInputType, field: string, arg: string, pick: number): unknown {
  if (isNonNullType(type)) return valueFor(type.ofType, field, arg, pick);
  if (isListType(type)) return [valueFor(type.ofType, field, arg, pick)];
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields()).map((f) => [f.name, valueFor(f.type, field, f.name, pick)]),
    );
  }
  if (isEnumType(type)) return type.getValues()[0].value;
  switch (getNamedType(type).name) {
    case 'ID': {
      const ids = victimIds.get(idTypeFor(field, arg) ?? '') ?? [...victimIds.values()].flat();
      return ids[pick % ids.length];
    }
    case 'Int':
      return 1;
    case 'Boolean':
      return true;
    case 'DateTime':
      return '2026-06-10T10:00:00Z';
    case 'Date':
      return '2026-07-01';
    default:
      return arg === 'token'
        ? shareToken
        : arg === 'url'
          ? 'https://example.com/hook'
          : arg === 'email'
            ? 'x@example.com'
            : 'long enough text';
  }
}

/** Selects every scalar a response could leak, a few levels deep. */
function selection(type: GraphQLOutputType, depth: number): string {
  const named = getNamedType(type);
  if (isScalarType(named) || isEnumType(named)) return '';
  if (depth === 0) return '{ __typename }';
  if (isUnionType(named) || isInterfaceType(named)) {
    // Errors through their interface (their own fields are echoes of the input); payloads in full.
    const members = (isUnionType(named) ? named.getTypes() : schema.getPossibleTypes(named)).filter(
      (m) => !m.getInterfaces().some((i) => i.name === 'Error'),
    );
    const payloads = members.map((m) => `... on ${m.name} ${selection(m, depth - 1)}`).join(' ');
    return `{ __typename ... on Error { code message } ${payloads} }`;
  }
  if (!isObjectType(named)) return '';
  const fields = Object.values(named.getFields()).filter((f) => !f.args.some((a) => isNonNullType(a.type)));
  return `{ __typename ${fields.map((f) => `${f.name} ${selection(f.type, depth - 1)}`).join(' ')} }`;
}

function operation(kind: 'query' | 'mutation' | 'subscription', field: GraphQLField<unknown, unknown>, pick = 0) {
  // Required arguments, and every optional one that names something of the studio.
  const used = field.args.filter((a) => isNonNullType(a.type) || getNamedType(a.type).name === 'ID');
  const args = Object.fromEntries(used.map((a) => [a.name, valueFor(a.type, field.name, a.name, pick)]));
  const defs = used.map((a) => `$${a.name}: ${a.type}`).join(', ');
  const call = used.map((a) => `${a.name}: $${a.name}`).join(', ');
  const query = `${kind}${defs ? `(${defs})` : ''} { ${field.name}${call ? `(${call})` : ''} ${selection(field.type, 4)} }`;
  return { query, args };
}

const LEAK = /victim/i;
const DOMAIN_CODES = /^(Unauthenticated|Forbidden|NotFound|InvalidInput|RateLimited)$/;

/** A refusal must be a typed one: a query the server could not even run would prove nothing. */
function expectTypedErrors(
  name: string,
  result: { errors?: { message: string; extensions?: Record<string, unknown> }[] },
) {
  for (const error of result.errors ?? []) {
    expect(String(error.extensions?.code), `${name}: ${error.message}`).toMatch(DOMAIN_CODES);
  }
}
const queries = Object.values(schema.getQueryType()!.getFields());
const mutations = Object.values(schema.getMutationType()!.getFields());
const subscriptions = Object.values(schema.getSubscriptionType()!.getFields());

it('classifies every mutation (a new one must say who may run it)', () => {
  const unclassified = mutations
    .map((m) => m.name)
    .filter((n) => !MANAGER_ONLY.has(n) && !MEMBER.has(n) && !PUBLIC.has(n));
  expect(unclassified).toEqual([]);
});

describe.each([
  ['another team’s owner', () => outsider.token],
  ['the studio’s read-only API key', () => readOnlyKey],
  ['an anonymous share-link holder', () => null],
])('as %s', (who, token) => {
  const insider = who.includes('read-only');

  it('reads nothing of the studio (every root query, every ID)', async () => {
    // node/nodes: each of the studio's IDs, selecting that type in full.
    for (const [type, ids] of victimIds) {
      for (const id of ids) {
        const fragment = `... on ${type} ${selection(schema.getType(type) as GraphQLOutputType, 3)}`;
        const result = await t.gql(
          `query($id: ID!) { node(id: $id) { __typename ${fragment} } nodes(ids: [$id]) { __typename ${fragment} } }`,
          { id },
          token(),
        );
        expectTypedErrors(`node(${type})`, result);
        if (!insider)
          expect(
            LEAK.test(JSON.stringify(result.data ?? {})),
            `node(${type}) leaked: ${JSON.stringify(result).slice(0, 300)}`,
          ).toBe(false);
        if (!insider && token()) expect(result.data?.node, `node(${type})`).toBeNull();
      }
    }
    for (const field of queries) {
      if (field.name === 'sharedBalance' || field.name === 'node' || field.name === 'nodes') continue;
      for (let pick = 0; pick < 3; pick++) {
        const { query, args } = operation('query', field, pick);
        const result = await t.gql(query, args, token());
        const text = JSON.stringify(result);
        expectTypedErrors(field.name, result);
        if (!insider)
          expect(LEAK.test(JSON.stringify(result.data ?? {})), `${field.name} leaked: ${text.slice(0, 400)}`).toBe(
            false,
          );
      }
    }
  });

  it('changes nothing of the studio (every root mutation, every ID)', async () => {
    const before = await victimState();
    for (const field of mutations) {
      const { query, args } = operation('mutation', field);
      const result = await t.gql(query, args, token());
      const text = JSON.stringify(result);
      expectTypedErrors(field.name, result);
      if (!insider)
        expect(LEAK.test(JSON.stringify(result.data ?? {})), `${field.name} leaked: ${text.slice(0, 400)}`).toBe(false);
      if (insider && !PUBLIC.has(field.name)) {
        const typename =
          (Object.values(result.data ?? {})[0] as { __typename?: string } | null)?.__typename ??
          result.errors?.[0]?.extensions?.code;
        expect(['Forbidden', 'Unauthenticated', 'InvalidInput'], `${field.name} → ${text.slice(0, 300)}`).toContain(
          typename,
        );
      }
    }
    expect(await victimState()).toBe(before);
  });

  it('receives nothing of the studio from any subscription', async () => {
    for (const field of subscriptions) {
      if (field.name === 'sharedBalance') continue;
      const { query, args } = operation('subscription', field);
      const response = await t.app.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(token() ? { authorization: `Bearer ${token()}` } : {}),
        },
        body: JSON.stringify({ query, variables: { ...args, after: 0 } }),
      });
      expect(response.status, field.name).toBeLessThan(500);
      const reader = response.body!.getReader();
      let text = '';
      const reading = (async () => {
        for (;;) {
          const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
          if (done) return;
          text += new TextDecoder().decode(value);
        }
      })();
      await victim.log((victimIds.get('Client') ?? [])[0]);
      await new Promise((r) => setTimeout(r, 300));
      await reader.cancel();
      await reading;
      expect(text, field.name).not.toMatch(/Unexpected error|GRAPHQL_VALIDATION_FAILED/);
      if (!insider)
        expect(LEAK.test(text) || /"entry":\{/.test(text), `${field.name}: ${text.slice(0, 300)}`).toBe(false);
    }
  });
});

it('the share link shows its one client, and nothing else of the studio', async () => {
  const { sharedBalance } = await t.ok(
    `query($token: String!) { sharedBalance(token: $token) ${selection(schema.getQueryType()!.getFields().sharedBalance.type, 4)} }`,
    { token: shareToken },
  );
  const text = JSON.stringify(sharedBalance);
  expect(sharedBalance.clientName).toBe('Victim Client');
  expect(text).not.toMatch(/victim-(session|ledger)-note|Victim Trainer|Victim Template|victim-key|127\.0\.0\.1/);
});

it('a trainer cannot run manager-only mutations', async () => {
  const before = await victimState();
  for (const field of mutations.filter((m) => MANAGER_ONLY.has(m.name))) {
    const { query, args } = operation('mutation', field);
    const result = await t.gql(query, args, trainerToken);
    expectTypedErrors(field.name, result);
    expect((Object.values(result.data ?? {})[0] as { __typename: string }).__typename, field.name).toBe('Forbidden');
  }
  expect(await victimState()).toBe(before);
});

it('uses the victim fixture the walker needs', () => {
  expect([...victimIds.keys()].sort()).toEqual(
    [
      'ApiKey',
      'Client',
      'LedgerEntry',
      'Member',
      'Package',
      'PackageTemplate',
      'Session',
      'SessionType',
      'Team',
      'WebhookDelivery',
      'WebhookEndpoint',
    ].sort(),
  );
  void ERR;
  void GraphQLList;
  void GraphQLNonNull;
});
