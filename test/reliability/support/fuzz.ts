import fc from 'fast-check';
import {
  buildClientSchema,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  getIntrospectionQuery,
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
import type { Database } from '../../../server/db/index.ts';
import { createTeam, field, globalId, type Reply, send, type Team } from './http.ts';

/**
 * Bad input, generated from the schema itself: the server's introspection gives every mutation's
 * arguments and their types, and fast-check builds values for them — huge and negative numbers,
 * 10 kB strings, unicode, NUL bytes, malformed dates, unknown IDs, IDs of another team, wrong
 * types, nulls where values are required. Every call must end in a typed result (a member of the
 * mutation's result union) or a GraphQL validation error — never a 5xx or "Unexpected error." —
 * and a call that ends in an error must leave every table exactly as it was.
 */

export interface Fixture {
  url: string;
  db: Database;
  schema: GraphQLSchema;
  mine: Team & { email: string; password: string };
  other: Team;
  /** IDs by type: of my team, of the other team, and well-formed IDs of nothing. */
  ids: Record<'mine' | 'other' | 'unknown', Record<string, string[]>>;
}

const PASSWORD = 'correct horse battery';

async function must(url: string, query: string, variables: Record<string, unknown>, token: string) {
  const reply = await send(url, query, variables, token);
  const result = field(reply);
  if (!result || result.code) throw new Error(`fixture call failed: ${JSON.stringify(reply)}`);
  return result;
}

/** Both teams get clients, packages, sessions, a template, an archived type, entries. */
async function furnish(url: string, team: Team) {
  const t = team.token;
  const direct = await must(
    url,
    `mutation { createClient(input: { name: "Per session", billingType: PER_SESSION }) { ... on Client { id } ... on Error { code } } }`,
    {},
    t,
  );
  team.clients.push(direct.id);
  const archived = await must(
    url,
    `mutation { createSessionType(input: { name: "Old", requiresCredits: true }) { ... on SessionType { id } ... on Error { code } } }`,
    {},
    t,
  );
  await must(
    url,
    `mutation($id: ID!) { archiveSessionType(id: $id) { __typename ... on Error { code } } }`,
    { id: archived.id },
    t,
  );
  await must(
    url,
    `mutation { createPackageTemplate(input: { name: "Ten", credits: 10, expiryDays: 30 }) { ... on PackageTemplate { id } ... on Error { code } } }`,
    {},
    t,
  );
  const SESSION = '... on SessionPayload { session { id } } ... on Error { code }';
  await must(
    url,
    `mutation($c: ID!) { logSession(input: { clientId: $c, status: COMPLETED }) { ${SESSION} } }`,
    { c: team.clients[0] },
    t,
  );
  await must(
    url,
    `mutation($c: ID!, $s: ID!) { bookSession(input: { clientId: $c, sessionTypeId: $s, startsAt: "2099-01-01T10:00:00Z" }) { ${SESSION} } }`,
    { c: team.clients[0], s: team.sessionTypeId },
    t,
  );
  await must(
    url,
    `mutation { inviteMember(email: "invitee@example.com", role: TRAINER) { __typename ... on Error { code } } }`,
    {},
    t,
  );
}

/** Every ID a team has, by type, read back over the API. */
async function idsOf(url: string, token: string): Promise<Record<string, string[]>> {
  const data = await send(
    url,
    `{ team { id members { id } }
       clients(first: 50, includeArchived: true) { edges { node { id packages { id } } } }
       sessionTypes(includeArchived: true) { id }
       packageTemplates { id }
       sessions(first: 50) { edges { node { id } } } }`,
    {},
    token,
  );
  if (data.kind !== 'response' || !data.body.data) throw new Error(`ids: ${JSON.stringify(data)}`);
  const d = data.body.data;
  const clients = d.clients.edges.map((e: any) => e.node);
  const entries: string[] = [];
  for (const c of clients) {
    const h = await send(
      url,
      `query($c: ID!) { balanceHistory(clientId: $c, first: 20) { edges { node { id } } } }`,
      { c: c.id },
      token,
    );
    if (h.kind === 'response') for (const e of h.body.data?.balanceHistory.edges ?? []) entries.push(e.node.id);
  }
  return {
    Team: [d.team.id],
    Member: d.team.members.map((m: any) => m.id),
    Client: clients.map((c: any) => c.id),
    Package: clients.flatMap((c: any) => c.packages.map((p: any) => p.id)),
    SessionType: d.sessionTypes.map((s: any) => s.id),
    PackageTemplate: d.packageTemplates.map((p: any) => p.id),
    Session: d.sessions.edges.map((e: any) => e.node.id),
    LedgerEntry: entries,
  };
}

export async function fixture(url: string, db: Database): Promise<Fixture> {
  const introspection = await send(url, getIntrospectionQuery(), {});
  if (introspection.kind !== 'response' || !introspection.body.data) {
    throw new Error(`introspection refused: ${JSON.stringify(introspection).slice(0, 500)}`);
  }
  const schema = buildClientSchema(introspection.body.data);
  const mine = await createTeam(url, 2, 50, 'Fuzz mine');
  const other = await createTeam(url, 2, 50, 'Fuzz other');
  await furnish(url, mine);
  await furnish(url, other);
  const me = await send(url, '{ me { member { email } } }', {}, mine.token);
  const email = (me.kind === 'response' && me.body.data?.me?.member?.email) as string;
  const unknown: Record<string, string[]> = {};
  const mineIds = await idsOf(url, mine.token);
  for (const type of Object.keys(mineIds)) {
    unknown[type] = [globalId(type, '00000000-0000-4000-8000-000000000000'), globalId(type, crypto.randomUUID())];
  }
  return {
    url,
    db,
    schema,
    mine: { ...mine, email, password: PASSWORD },
    other,
    ids: { mine: mineIds, other: await idsOf(url, other.token), unknown },
  };
}

/** Which kind of object an ID argument names, from its name (and the mutation's, for plain `id`). */
function idType(argName: string, mutation: string): string | null {
  const byName: Record<string, string> = {
    clientId: 'Client',
    clientIds: 'Client',
    packageId: 'Package',
    sessionTypeId: 'SessionType',
    sessionId: 'Session',
    memberId: 'Member',
    entryId: 'LedgerEntry',
    templateId: 'PackageTemplate',
    teamId: 'Team',
  };
  if (byName[argName]) return byName[argName];
  if (argName !== 'id') return null;
  for (const type of ['SessionType', 'PackageTemplate', 'Client', 'Package', 'Session', 'Member']) {
    if (mutation.toLowerCase().includes(type.toLowerCase())) return type;
  }
  return null;
}

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\u202e\u0627\u0644\u0639\u0631\u0628\u064a\u0629',
  '🏋️‍♀️💪🏽',
  'é'.normalize('NFD'),
  '\'; DROP TABLE "Client"; --',
  '%_\\',
  '<script>alert(1)</script>',
  'x'.repeat(10_240),
  '😀'.repeat(2_600),
  ' '.repeat(10_240),
  'a'.repeat(501),
  'a'.repeat(201),
];

const EXTREME_INTS = [0, -1, 1, 2, 3, -2_147_483_648, 2_147_483_647, 10_000, 10_001, 100_000_001, 1_000_000];
const INVALID_INTS = [2_147_483_648, -2_147_483_649, 1e15, 1.5, '5', true];

const DATES = [
  '2026-06-01T12:00:00Z',
  '2099-12-31T23:59:59Z',
  '1999-12-31T23:59:59Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '2026-02-30T10:00:00Z',
  '2026-13-45T99:99:99Z',
  'not a date',
  '',
  '2026-06-01',
  '+275760-09-13T00:00:00Z',
];
const DAYS = ['2099-01-01', '2000-01-01', '1970-01-01', '9999-12-31', '2026-02-30', '0000-00-00', 'tomorrow', ''];

/** Values of every kind an ID field can get (`strict`: strings only, so they pass variable coercion). */
function idArb(f: Fixture, type: string | null, strict: boolean): fc.Arbitrary<unknown> {
  const pool = (owner: 'mine' | 'other' | 'unknown') =>
    type ? (f.ids[owner][type] ?? []) : Object.values(f.ids[owner]).flat();
  const any = (owner: 'mine' | 'other' | 'unknown') => Object.values(f.ids[owner]).flat();
  const choices: fc.Arbitrary<unknown>[] = [];
  // Mostly real IDs of the right type (mine, so the call gets deep), then the other team's, unknown ones, wrong types.
  for (const list of [
    pool('mine'),
    pool('mine'),
    pool('mine'),
    pool('other'),
    pool('unknown'),
    any('mine'),
    any('other'),
  ]) {
    if (list.length) choices.push(fc.constantFrom(...list));
  }
  choices.push(
    fc.constantFrom(
      '',
      'not-base64!',
      Buffer.from('Client:').toString('base64'),
      Buffer.from(':').toString('base64'),
      Buffer.from('Client:not-a-uuid').toString('base64'),
      Buffer.from(`Client:${'9'.repeat(5000)}`).toString('base64'),
      Buffer.from('Client:\u0000').toString('base64'),
      '00000000-0000-4000-8000-000000000000',
      'x'.repeat(10_240),
    ),
    fc.string(),
  );
  // GraphQL's ID also accepts integers.
  if (!strict) choices.push(fc.constantFrom(0, -1, 2_147_483_647, true));
  return fc.oneof(...choices);
}

function scalarArb(
  f: Fixture,
  name: string,
  argName: string,
  mutation: string,
  strict: boolean,
): fc.Arbitrary<unknown> {
  switch (name) {
    case 'Int':
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...EXTREME_INTS) },
        { weight: 2, arbitrary: fc.integer() },
        { weight: strict ? 0 : 2, arbitrary: fc.constantFrom(...INVALID_INTS) },
      );
    case 'Float':
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -1, 1e308));
    case 'Boolean':
      return strict ? fc.boolean() : fc.oneof(fc.boolean(), fc.constantFrom('true', 0));
    case 'ID':
      return idArb(f, idType(argName, mutation), strict);
    case 'DateTime':
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...(strict ? DATES.slice(0, 5) : DATES)) },
        { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
        { weight: strict ? 0 : 1, arbitrary: fc.string() },
      );
    case 'Date':
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...(strict ? DAYS.slice(0, 4) : DAYS)) },
        { weight: strict ? 0 : 1, arbitrary: fc.string() },
      );
    default:
      return stringArb(argName, strict);
  }
}

function stringArb(argName: string, strict: boolean): fc.Arbitrary<unknown> {
  const plausible: Record<string, string[]> = {
    // Never the owner's own email with a wrong password: the login throttle would lock the fixture out.
    email: ['someone@example.com', 'not-an-email', 'a@b.c', `${'x'.repeat(250)}@example.com`, 'ÜNÏCÖDE@exämple.com'],
    password: ['correct horse battery', 'short', 'x'.repeat(257)],
    idempotencyKey: ['key-1', 'key-1', 'x'.repeat(200), 'x'.repeat(201)],
    url: ['https://example.com/hook', 'http://127.0.0.1:1/x', 'ftp://x', 'javascript:alert(1)', 'https://'],
  };
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: plausible[argName] ? 4 : 0, arbitrary: fc.constantFrom(...(plausible[argName] ?? [''])) },
    { weight: strict ? 0 : 1, arbitrary: fc.constantFrom(42, true, ['a']) },
  );
}

/**
 * A value for a GraphQL input type; `undefined` means "leave it out". `strict` values are of
 * the right type (extreme, but past variable coercion, so they reach the resolvers); the others
 * may be anything (null for a required value, wrong types, unknown fields).
 */
export function valueArb(
  f: Fixture,
  type: GraphQLInputType,
  argName: string,
  mutation: string,
  strict: boolean,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) {
    const value = valueArb(f, type.ofType, argName, mutation, strict, depth).filter((v) => v !== undefined);
    return fc.oneof(
      { weight: 12, arbitrary: strict ? value.filter((v) => v !== null) : value },
      {
        weight: strict ? 0 : 1,
        arbitrary: fc.constant(null),
      },
    );
  }
  const inner = (): fc.Arbitrary<unknown> => {
    if (isListType(type)) {
      const item = valueArb(f, type.ofType as GraphQLInputType, argName, mutation, strict, depth + 1);
      return fc.oneof(
        { weight: 5, arbitrary: fc.array(item, { maxLength: 4 }) },
        { weight: 1, arbitrary: item.chain((v) => fc.constant(Array.from({ length: 1_000 }, () => v))) },
        // A single value where a list is expected: GraphQL coerces it into a list of one.
        { weight: 1, arbitrary: item },
      );
    }
    if (isEnumType(type)) {
      return fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...type.getValues().map((v) => v.name)) },
        { weight: strict ? 0 : 1, arbitrary: fc.constantFrom('NOT_A_VALUE', '', 'completed') },
      );
    }
    if (isInputObjectType(type)) {
      if (depth > 3) return fc.constant({});
      const fields = Object.values(type.getFields());
      return fc
        .tuple(...fields.map((fl) => valueArb(f, fl.type, fl.name, mutation, strict, depth + 1)))
        .chain((values) => {
          const out: Record<string, unknown> = {};
          fields.forEach((fl, i) => {
            if (values[i] !== undefined) out[fl.name] = values[i];
          });
          return fc.oneof(
            { weight: 12, arbitrary: fc.constant(out) },
            { weight: strict ? 0 : 1, arbitrary: fc.constant({ ...out, notAField: 1 }) },
          );
        });
    }
    if (isScalarType(type)) return scalarArb(f, type.name, argName, mutation, strict);
    return fc.constant(null);
  };
  return fc.oneof(
    { weight: 10, arbitrary: inner() },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 3, arbitrary: fc.constant(undefined) },
  );
}

/** The mutation's document: every argument a variable of its own type, the result's typename and error fields. */
export function document(m: GraphQLField<unknown, unknown>): string {
  const vars = m.args.map((a: GraphQLArgument) => `$${a.name}: ${String(a.type)}`).join(', ');
  const args = m.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const named = getNamedType(m.type);
  let selection = '';
  if (isUnionType(named) || isInterfaceType(named)) selection = '{ __typename ... on Error { code message } }';
  else if (isObjectType(named)) selection = '{ __typename }';
  return `mutation${vars ? `(${vars})` : ''} { ${m.name}${args ? `(${args})` : ''} ${selection} }`;
}

/** Arguments for one call: mostly well-typed (to reach the resolvers), sometimes anything. */
export function argsArb(f: Fixture, m: GraphQLField<unknown, unknown>): fc.Arbitrary<Record<string, unknown>> {
  if (m.args.length === 0) return fc.constant({});
  const args = (strict: boolean) =>
    fc.tuple(...m.args.map((a) => valueArb(f, a.type, a.name, m.name, strict))).map((values) => {
      const out: Record<string, unknown> = {};
      m.args.forEach((a, i) => {
        if (values[i] !== undefined) out[a.name] = values[i];
      });
      return out;
    });
  return fc.oneof({ weight: 4, arbitrary: args(true) }, { weight: 1, arbitrary: args(false) });
}

/**
 * What the webhook dispatcher writes in the background after earlier successful calls (its
 * deliveries, and each endpoint's cursor and lease): not the refused call's doing, so left out.
 */
const BACKGROUND: Record<string, string[] | '*'> = {
  WebhookDelivery: '*',
  WebhookEndpoint: ['cursor', 'leasedUntil'],
};

/** Digest of every row of every table (one statement), or of one team's rows alone. */
export async function digest(db: Database, teamId?: string): Promise<string> {
  const tables = await db.prisma.$queryRawUnsafe<{ name: string; team: boolean }[]>(
    `SELECT c.relname AS name, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'teamId') AS team
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_prisma_migrations' ORDER BY 1`,
  );
  const parts = tables
    .filter((t) => BACKGROUND[t.name] !== '*')
    .filter((t) => !teamId || t.team || t.name === 'Team')
    .map((t) => {
      const where = teamId ? (t.name === 'Team' ? `WHERE t."id" = $1` : `WHERE t."teamId" = $1`) : '';
      const ignored = BACKGROUND[t.name];
      const row = Array.isArray(ignored)
        ? `(to_jsonb(t) ${ignored.map((c) => `- '${c}'`).join(' ')})::text`
        : 't::text';
      return `SELECT '${t.name}' AS name, COUNT(*)::text || ':' || COALESCE(md5(string_agg(${row}, '|' ORDER BY ${row})), '') AS d FROM "${t.name}" t ${where}`;
    });
  const rows = await db.prisma.$queryRawUnsafe<{ name: string; d: string }[]>(
    parts.join(' UNION ALL '),
    ...(teamId ? [teamId] : []),
  );
  return rows.map((r) => `${r.name}=${r.d}`).join('\n');
}

export interface CallVerdict {
  problem?: string;
  /** The call ended in an error (typed, or a GraphQL error). */
  refused: boolean;
  outcome: string;
}

/**
 * What a reply says, judged by the rules above (whether it wrote is checked by the caller).
 * Allowed errors: request errors (validation, variable coercion: no `path`, before execution), and
 * execution errors that name a domain code (a DomainError thrown outside the result union). Not
 * allowed: "Unexpected error." (a masked crash), an execution error without a code, any 5xx.
 */
export function judge(m: GraphQLField<unknown, unknown>, reply: Reply): CallVerdict {
  if (reply.kind === 'network') return { problem: `no response: ${reply.error}`, refused: true, outcome: 'network' };
  if (reply.status >= 500) {
    return {
      problem: `HTTP ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`,
      refused: true,
      outcome: `${reply.status}`,
    };
  }
  const errors: any[] = reply.body?.errors ?? [];
  if (errors.length) {
    for (const e of errors) {
      if (e.message === 'Unexpected error.' || e.extensions?.code === 'INTERNAL_SERVER_ERROR') {
        return {
          problem: `"${e.message}" ${JSON.stringify(e.extensions ?? {})}`,
          refused: true,
          outcome: 'Unexpected error',
        };
      }
      if (e.path && !e.extensions?.code) {
        return { problem: `untyped execution error "${e.message}"`, refused: true, outcome: 'untyped error' };
      }
    }
    const e = errors[0];
    const outcome = e.path ? `error ${e.extensions.code} (outside the union)` : 'request error (validation)';
    return { refused: true, outcome };
  }
  if (reply.status !== 200)
    return { problem: `HTTP ${reply.status} without errors`, refused: true, outcome: `${reply.status}` };
  const value = reply.body?.data?.[m.name];
  if (value === undefined) return { problem: 'no data for the field', refused: true, outcome: 'empty' };
  const named = getNamedType(m.type);
  if (value && typeof value === 'object' && '__typename' in value) {
    const typename = value.__typename as string;
    if (isUnionType(named) && !named.getTypes().some((t) => t.name === typename)) {
      return { problem: `__typename ${typename} is not in ${named.name}`, refused: true, outcome: typename };
    }
    const isError = 'code' in value && 'message' in value;
    return { refused: isError, outcome: typename };
  }
  return { refused: false, outcome: String(value) };
}

/** Logs the fixture's owner in again if a call (logOut, switchTeam…) ended that login. */
export async function keepLoggedIn(f: Fixture) {
  const me = await send(f.url, '{ me { member { role team { id } } } }', {}, f.mine.token);
  const member = me.kind === 'response' ? me.body.data?.me?.member : null;
  if (member?.role === 'OWNER' && member.team.id === f.mine.teamId) return;
  const login = await send(
    f.url,
    `mutation($e: String!, $p: String!, $t: ID) { logIn(email: $e, password: $p, teamId: $t) { __typename ... on LoginPayload { token } ... on Error { code message } } }`,
    { e: f.mine.email, p: f.mine.password, t: f.mine.teamId },
  );
  const token = field(login)?.token;
  if (!token) throw new Error(`could not log the owner in again: ${JSON.stringify(login)}`);
  f.mine.token = token;
}
