import type { Database } from '../../../server/db/index.ts';

/** What one HTTP GraphQL call came back with: a response (any status), or no response at all. */
export type Reply =
  | { kind: 'response'; status: number; body: any; ms: number }
  | { kind: 'network'; error: string; ms: number };

/** POSTs one operation. Never throws: a refused connection or a timeout is a `network` reply. */
export async function send(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  timeoutMs = 20_000,
): Promise<Reply> {
  const began = performance.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = { nonJson: text.slice(0, 500) };
    }
    return { kind: 'response', status: response.status, body, ms: performance.now() - began };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    return { kind: 'network', error: e.cause?.code ?? e.cause?.message ?? e.message, ms: performance.now() - began };
  }
}

/** The first field of `data` when the call succeeded at the GraphQL level, else null. */
export function field(reply: Reply): any {
  if (reply.kind !== 'response' || reply.status !== 200 || reply.body?.errors?.length || !reply.body?.data) return null;
  return Object.values(reply.body.data)[0];
}

/** One line saying how a call ended, for test messages and tallies. */
export function describe(reply: Reply): string {
  if (reply.kind === 'network') return `network: ${reply.error}`;
  if (reply.body?.errors?.length) {
    const e = reply.body.errors[0];
    return `HTTP ${reply.status} error: ${e.message}${e.extensions?.code ? ` (${e.extensions.code})` : ''}`;
  }
  const f = field(reply);
  if (f && typeof f === 'object' && '__typename' in f) return `HTTP ${reply.status} ${f.__typename}`;
  return `HTTP ${reply.status}`;
}

/** Row ID of a Relay global ID ("Type:uuid" in base64). */
export function rawId(globalId: string): string {
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

export function globalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`).toString('base64');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(check: () => boolean | Promise<boolean>, what: string, ms: number, every = 50) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

/** A studio made over the API: owner token, a credit-requiring session type, package clients. */
export interface Team {
  token: string;
  teamId: string;
  memberId: string;
  sessionTypeId: string;
  clients: string[];
  packages: string[];
}

let studios = 0;

async function must(url: string, query: string, variables: Record<string, unknown>, token?: string) {
  const reply = await send(url, query, variables, token);
  const result = field(reply);
  if (!result || (typeof result === 'object' && 'code' in result && 'message' in result)) {
    throw new Error(
      `setup call failed: ${describe(reply)} ${JSON.stringify(reply.kind === 'response' ? reply.body : '')}`,
    );
  }
  return result;
}

export async function createTeam(url: string, clients: number, credits: number, name = 'Reliability'): Promise<Team> {
  const n = ++studios;
  const login = await must(
    url,
    `mutation($t: String!, $e: String!) { signUp(teamName: $t, name: "Owner", email: $e, password: "correct horse battery") {
      __typename ... on LoginPayload { token member { id team { id } } } ... on Error { code message } } }`,
    { t: `${name} ${n}`, e: `owner-${n}-${process.pid}-${Date.now()}@example.com` },
  );
  const token = login.token as string;
  const type = await must(
    url,
    `mutation { createSessionType(input: { name: "1-on-1", requiresCredits: true }) { __typename ... on SessionType { id } ... on Error { code message } } }`,
    {},
    token,
  );
  const team: Team = {
    token,
    teamId: login.member.team.id,
    memberId: login.member.id,
    sessionTypeId: type.id,
    clients: [],
    packages: [],
  };
  for (let i = 0; i < clients; i++) {
    const client = await must(
      url,
      `mutation($n: String!) { createClient(input: { name: $n }) { __typename ... on Client { id } ... on Error { code message } } }`,
      { n: `Client ${i}` },
      token,
    );
    const pkg = await must(
      url,
      `mutation($c: ID!, $k: Int!) { createPackage(input: { clientId: $c, name: "Pack", credits: $k }) {
        __typename ... on Package { id } ... on Error { code message } } }`,
      { c: client.id, k: credits },
      token,
    );
    team.clients.push(client.id);
    team.packages.push(pkg.id);
  }
  return team;
}

/** Row counts of every table and each team's sequence: what "nothing was written" compares. */
export async function snapshot(db: Database, exclude: string[] = []): Promise<Record<string, string>> {
  const tables = await db.prisma.$queryRawUnsafe<{ name: string }[]>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    if (exclude.includes(name)) continue;
    // A digest of every row, not just a count: an UPDATE that slipped through shows too.
    const [row] = await db.prisma.$queryRawUnsafe<{ n: number; digest: string | null }[]>(
      `SELECT COUNT(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest FROM "${name}" t`,
    );
    out[name] = `${row.n}:${row.digest ?? ''}`;
  }
  return out;
}
