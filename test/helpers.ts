import { type App, type AppOptions, buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import type { Database } from '../server/db/index.ts';
import { createTestDatabase } from '../server/db/test-db.ts';
import type { Logger } from '../server/observability/log.ts';

/** A clock tests move by hand: expiry and cancellation windows without waiting. */
export class TestClock {
  constructor(public current = new Date('2026-06-01T12:00:00Z')) {}
  now = () => new Date(this.current);
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface GqlResult<T = Record<string, any>> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export interface TestApp {
  app: App;
  clock: TestClock;
  db: Database;
  /** Runs one operation in-process through yoga.fetch (the full HTTP pipeline, no socket). */
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<GqlResult<T>>;
  /** Like gql, but fails the test on GraphQL errors and returns data. */
  ok<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<T>;
  close(): Promise<void>;
}

export async function createTestApp(
  opts: {
    db?: Database;
    clock?: TestClock;
    env?: Record<string, string>;
    webhooks?: AppOptions['webhooks'];
    logger?: Logger;
  } = {},
): Promise<TestApp> {
  const clock = opts.clock ?? new TestClock();
  const db = opts.db ?? (await createTestDatabase());
  const app = await buildApp(
    loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', JOBS: 'off', ...opts.env }),
    {
      database: db,
      now: clock.now,
      webhooks: opts.webhooks,
      logger: opts.logger,
    },
  );
  const gql: TestApp['gql'] = async (query, variables, token) => {
    const response = await app.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return response.json();
  };
  return {
    app,
    clock,
    db,
    gql,
    async ok(query, variables, token) {
      const result = await gql(query, variables, token);
      if (result.errors) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data as never;
    },
    async close() {
      await app.stop();
      if (!opts.db) await db.close();
    },
  };
}

let counter = 0;

/** Signs up a new studio and returns its owner's bearer token. */
export async function signUpStudio(t: TestApp, teamName = `Studio ${++counter}`) {
  const data = await t.ok<{ signUp: { token: string; member: { id: string; team: { id: string } } } }>(
    `mutation($teamName: String!, $email: String!) {
      signUp(teamName: $teamName, name: "Owner", email: $email, password: "correct horse") {
        __typename ... on LoginPayload { token member { id team { id } } } ... on Error { code message }
      }
    }`,
    { teamName, email: `owner${counter}-${Math.random().toString(36).slice(2)}@example.com` },
  );
  return { token: data.signUp.token, memberId: data.signUp.member.id, teamId: data.signUp.member.team.id };
}

/** Fragments every test selects on a mutation result: the payload or the typed error. */
export const ERR = '... on Error { __typename code message }';

/** A signed-up studio with one credit-requiring session type, and shortcuts for common calls. */
export async function studio(t: TestApp) {
  const owner = await signUpStudio(t);
  const token = owner.token;
  const call = async (query: string, variables?: Record<string, unknown>, as = token) => {
    const data = await t.ok(query, variables, as);
    return Object.values(data)[0] as any;
  };
  const sessionType = await call(
    `mutation { createSessionType(input: { name: "1-on-1", requiresCredits: true }) { ... on SessionType { id name } ${ERR} } }`,
  );
  return {
    ...owner,
    call,
    sessionTypeId: sessionType.id as string,
    async client(name = 'Jane Doe', billingType = 'PACKAGE') {
      const c = await call(
        `mutation($name: String!, $billingType: BillingType) { createClient(input: { name: $name, billingType: $billingType }) { ... on Client { id } ${ERR} } }`,
        { name, billingType },
      );
      return c.id as string;
    },
    async package(clientId: string, input: Record<string, unknown> = {}) {
      const p = await call(
        `mutation($input: CreatePackageInput!) { createPackage(input: $input) { __typename ... on Package { id name remainingCredits totalCredits expiresOn } ${ERR} } }`,
        { input: { clientId, name: '10-Session Pack', credits: 10, ...input } },
      );
      if (p.__typename !== 'Package') throw new Error(`createPackage failed: ${JSON.stringify(p)}`);
      return p.id as string;
    },
    async log(clientId: string, input: Record<string, unknown> = {}, as = token) {
      return call(
        `mutation($input: LogSessionInput!) { logSession(input: $input) {
          __typename ... on SessionPayload { balance session { id status direct } package { id remainingCredits } }
          ... on InsufficientCredits { balance } ${ERR} } }`,
        { input: { clientId, status: 'COMPLETED', ...input } },
        as,
      );
    },
    async remaining(packageId: string) {
      const r = await call(`query($id: ID!) { node(id: $id) { ... on Package { remainingCredits } } }`, {
        id: packageId,
      });
      return r.remainingCredits as number;
    },
    async history(clientId: string, extra = '') {
      const r = await call(
        `query($clientId: ID!) { balanceHistory(clientId: $clientId, first: 100 ${extra}) { edges { node {
          sequence event amount balanceAfter note actorName session { id } package { id } sessionType { id } } } } }`,
        { clientId },
      );
      return (r.edges as { node: any }[]).map((e) => e.node);
    },
  };
}
