// `npm start` as a user runs it: real processes on real ports, talking HTTP. Each process is
// started once and several checks run against it, because a start costs seconds (tsx, PGlite,
// migrations, argon2 for the demo login).

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, redactUrl } from '../server/db/index.ts';
import { createPostgresTestDatabase, DEFAULT_TEST_DATABASE_URL } from '../server/db/test-db.ts';
import type { GqlResult } from './helpers.ts';
import { freePort, ROOT, ServerProcess } from './support/processes.ts';

const started = new Set<ServerProcess>();

function startServer(env: Record<string, string>): ServerProcess {
  const server = new ServerProcess(env);
  started.add(server);
  return server;
}

afterAll(async () => {
  // A failed test may leave a server running; never leave one behind.
  await Promise.all([...started].map((server) => (server.exitStatus ? null : server.stop('SIGKILL'))));
});

async function post<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ response: Response; result: GqlResult<T> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { response, result: (await response.json()) as GqlResult<T> };
}

async function migrationNames(): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, 'prisma/migrations'), { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

const LOG_IN = `mutation($email: String!, $password: String!) {
  logIn(email: $email, password: $password) {
    __typename
    ... on LoginPayload { token member { email role team { name } } }
    ... on Error { code message }
  }
}`;

const CLIENTS = '{ clients(first: 10) { edges { node { name totalRemainingCredits } } } }';

type LogIn = {
  logIn: { __typename: string; token: string; member: { email: string; role: string; team: { name: string } } };
};
type Clients = { clients: { edges: { node: { name: string; totalRemainingCredits: number } }[] } };

describe('npm start on the embedded database', () => {
  let dataDir: string;
  let first: ServerProcess;
  let url: string;
  let token: string;
  let cookie: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'punchcard-server-test-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('first start: prints the GraphiQL URL and a demo login', async () => {
    const port = await freePort();
    first = startServer({ PORT: String(port), DATA_DIR: dataDir });
    await first.waitFor(/Log in as [^\s"]+ \/ [^\s"]+/, 150_000);
    url = first.output.match(/GraphiQL: ([^\s"]+)/)?.[1] ?? '';
    expect(url).toBe(`http://127.0.0.1:${port}/graphql`);
    expect(first.output).toContain(`the embedded database in ${dataDir}`);
    // Not on a terminal: every line is a JSON log record (LOG_FORMAT=auto).
    for (const line of first.output.trim().split('\n')) expect(() => JSON.parse(line), line).not.toThrow();
  }, 180_000);

  it('serves GraphiQL to a browser at /graphql', async () => {
    const response = await fetch(url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toMatch(/graphiql/i);
    expect(html).toContain('Punchcard API');
  });

  it('logs in with the printed demo login and sets an HttpOnly session cookie', async () => {
    const [, email, password] = first.output.match(/Log in as ([^\s"]+) \/ ([^\s"]+)/) ?? [];
    const { response, result } = await post<LogIn>(url, LOG_IN, { email, password });
    expect(result.errors).toBeUndefined();
    expect(result.data?.logIn).toMatchObject({
      __typename: 'LoginPayload',
      member: { email, role: 'OWNER', team: { name: 'Demo Studio' } },
    });
    token = result.data?.logIn.token ?? '';
    expect(token).not.toBe('');

    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('punchcard_session='));
    expect(setCookie).toBeDefined();
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*Path=\//i);
    // Plain http on localhost: a Secure cookie would never come back.
    expect(setCookie).not.toMatch(/;\s*Secure/i);
    cookie = setCookie?.split(';')[0] ?? '';
    expect(cookie).toBe(`punchcard_session=${token}`);
  });

  it("lists the demo studio's clients with their credits, by bearer token or by cookie", async () => {
    const { result } = await post<Clients>(url, CLIENTS, {}, { authorization: `Bearer ${token}` });
    expect(result.errors).toBeUndefined();
    const clients = result.data?.clients.edges.map((edge) => edge.node) ?? [];
    expect(clients.map((c) => c.name)).toEqual(['Alex Rivera', 'Blair Chen', 'Casey Morgan', 'Devon Park']);
    const credits = Object.fromEntries(clients.map((c) => [c.name, c.totalRemainingCredits]));
    for (const name in credits) expect(credits[name]).toEqual(expect.any(Number));
    expect(credits['Casey Morgan']).toBe(0); // used all ten
    expect(credits['Alex Rivera']).toBeGreaterThan(0);

    const byCookie = await post(url, CLIENTS, {}, { cookie });
    expect(byCookie.result).toEqual(result);

    const anonymous = await post(url, CLIENTS);
    expect(anonymous.result.data).toBeFalsy();
    expect(anonymous.result.errors?.length).toBeGreaterThan(0);
  });

  it('exits with code 0 on SIGTERM', async () => {
    const status = await first.stop('SIGTERM');
    expect(status).toEqual({ code: 0, signal: null });
    expect(first.output).toContain('SIGTERM');
  });

  it('second start on the same DATA_DIR keeps the data and seeds nothing', async () => {
    const port = await freePort();
    const second = startServer({ PORT: String(port), DATA_DIR: dataDir });
    const secondUrl = (await second.waitFor(/GraphiQL: ([^\s"]+)/, 150_000))[1];

    // The login made before the restart is still valid: the data was kept.
    const { result } = await post<{
      me: { memberships: { team: { name: string } }[] };
      clients: { edges: unknown[] };
    }>(
      secondUrl,
      '{ me { memberships { team { name } } } clients(first: 10) { edges { node { name } } } }',
      {},
      { authorization: `Bearer ${token}` },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.me.memberships).toEqual([{ team: { name: 'Demo Studio' } }]);
    expect(result.data?.clients.edges).toHaveLength(4);

    expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(second.output).not.toMatch(/Demo studio seeded|Log in as/);

    // With both processes gone: one team, and each migration recorded exactly once.
    const db = await openDatabase({ dataDir, migrate: false });
    try {
      expect(await db.prisma.team.count()).toBe(1);
      const rows = await db.prisma.$queryRaw<{ migration_name: string }[]>`
        SELECT migration_name FROM _prisma_migrations ORDER BY migration_name`;
      expect(rows.map((row) => row.migration_name)).toEqual(await migrationNames());
    } finally {
      await db.close();
    }
  }, 180_000);
});

describe('npm start with a bad configuration', () => {
  it('exits non-zero and names the variable', async () => {
    const server = startServer({ PORT: 'abc', DATA_DIR: path.join(tmpdir(), 'punchcard-never-created') });
    const status = await server.exited;
    expect(status.code).not.toBe(0);
    expect(server.output).toMatch(/Configuration error: PORT: .*"abc"/);
    expect(server.output).not.toContain('running');
  });
});

describe('npm start on PostgreSQL', () => {
  it('applies the migrations, answers queries and seeds no demo', async (ctx) => {
    const db = await createPostgresTestDatabase({ migrate: false });
    if (!db) {
      const reason = `PostgreSQL is unreachable at ${redactUrl(process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL)} (set TEST_DATABASE_URL to run this test)`;
      console.warn(`Skipping the PostgreSQL start test: ${reason}`);
      return ctx.skip(reason);
    }
    let server: ServerProcess | undefined;
    try {
      const port = await freePort();
      server = startServer({ PORT: String(port), DATABASE_URL: db.url });
      const url = (await server.waitFor(/GraphiQL: ([^\s"]+)/, 150_000))[1];
      expect(server.output).toContain('running on PostgreSQL');

      const signUp = await post<{ signUp: { __typename: string; token?: string } }>(
        url,
        `mutation {
          signUp(teamName: "Postgres Studio", name: "Pat", email: "pat@example.com", password: "correct horse") {
            __typename ... on LoginPayload { token } ... on Error { code message }
          }
        }`,
      );
      expect(signUp.result.data?.signUp.__typename).toBe('LoginPayload');
      const { result } = await post(
        url,
        `{ team { name } ${CLIENTS.slice(1, -1)} }`,
        {},
        {
          authorization: `Bearer ${signUp.result.data?.signUp.token}`,
        },
      );
      expect(result).toEqual({ data: { team: { name: 'Postgres Studio' }, clients: { edges: [] } } });

      expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(server.output).not.toMatch(/Demo studio seeded|Log in as/);
      expect(await db.prisma.team.count()).toBe(1);
      const rows = await db.prisma.$queryRaw<{ migration_name: string }[]>`
        SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name`;
      expect(rows.map((row) => row.migration_name)).toEqual(await migrationNames());
    } finally {
      await server?.stop('SIGKILL');
      await db.drop();
    }
  }, 180_000);
});
