import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { PothosValidationError } from '@pothos/core';
import { useCookies } from '@whatwg-node/server-plugin-cookies';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import type { OperationResult, Context as WsContext } from 'graphql-ws';
import { type Extra, useServer } from 'graphql-ws/use/ws';
import { createYoga, maskError as yogaMaskError } from 'graphql-yoga';
import { Redis } from 'ioredis';
import { WebSocketServer } from 'ws';
import { schema } from '../schema/index.ts';
import { API_KEY_PREFIX, actorForApiKey } from './auth/api-keys.ts';
import { createLimits } from './auth/rate-limit.ts';
import { actorForLogin, LOGIN_DAYS } from './auth/team.ts';
import type { Config } from './config.ts';
import type { RequestContext } from './context.ts';
import { isOverloaded, OVERLOADED_RETRY_AFTER_SECONDS } from './db/admission.ts';
import { type Database, openDatabase } from './db/index.ts';
import { EventHub } from './events/hub.ts';
import { memorySignal, redisSignal } from './events/signal.ts';
import { httpHandler } from './http.ts';
import { useNoNulCharacters } from './input-guard.ts';
import { createJobRunner, type JobRunner } from './jobs/runner.ts';
import type { Actor } from './ledger/actor.ts';
import type { LedgerContext } from './ledger/context.ts';
import { DomainError, RateLimited, Unauthenticated } from './ledger/errors.ts';
import { mailTransportFromConfig } from './mail/transport.ts';
import { operationalRoutes } from './observability/health.ts';
import { createLogger, type Logger } from './observability/log.ts';
import { Metrics } from './observability/metrics.ts';
import { operationLogging } from './observability/operations.ts';
import { type DispatcherOptions, WebhookDispatcher } from './webhooks/dispatcher.ts';
import { type Lookup, WebhookTransport } from './webhooks/transport.ts';

/** graphql-ws hands back what onSubscribe returned: yoga's enveloped execute/subscribe ride on rootValue. */
type EnvelopedArgs = ExecutionArgs & { rootValue: { execute: Runner; subscribe: Runner } };
type Runner = (args: ExecutionArgs) => OperationResult;
type SubscribeParams = { query: string; operationName?: string | null; variables?: Record<string, unknown> | null };

export const LOGIN_COOKIE = 'punchcard_session';

export interface AppOptions {
  /** An already-open database (tests); otherwise one is opened from the config. */
  database?: Database;
  /** The clock the ledger uses; tests move it instead of waiting. */
  now?: () => Date;
  /** Where the app logs; by default a logger made from LOG_LEVEL and LOG_FORMAT on stdout. */
  logger?: Logger;
  /** Webhook delivery; `lookup` stands in for DNS (tests). */
  webhooks?: DispatcherOptions & { lookup?: Lookup };
}

export interface App {
  yoga: ReturnType<typeof createYoga<Record<string, unknown>, RequestContext>>;
  database: Database;
  ledger: LedgerContext;
  webhooks: WebhookDispatcher;
  log: Logger;
  metrics: Metrics;
  /** Background jobs (expiry, alerts, mail): on a timer from start() when JOBS=on; runOnce() any time. */
  jobs: JobRunner;
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

/**
 * PostgreSQL away (restart, partition): connection-level failures, not bugs. A busy database is
 * not one of them: waiting for a connection or a team's turn is an Admission (server/db/admission.ts),
 * refused as Overloaded past its limits; DatabaseNotAnswering is its "no connection came back".
 */
const DATABASE_DOWN =
  /ConnectionClosed|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection terminated|DatabaseNotAnswering|Query read timeout|Can't reach database|P1001|P1017|the database system is (starting up|shutting down)/i;

function databaseUnavailable(error: unknown): boolean {
  type Chain = {
    message?: string;
    name?: string;
    code?: unknown;
    cause?: unknown;
    originalError?: unknown;
    driverAdapterError?: unknown;
  };
  for (let e = error as Chain | undefined, depth = 0; e && depth < 8; depth++) {
    if (DATABASE_DOWN.test(`${e.name ?? ''} ${e.message ?? ''} ${String(e.code ?? '')}`)) return true;
    e = (e.driverAdapterError ?? e.originalError ?? e.cause) as Chain | undefined;
  }
  return false;
}

const unavailable = () =>
  new GraphQLError('The database is unavailable right now. Try again in a few seconds.', {
    extensions: { code: 'DatabaseUnavailable', http: { status: 503, headers: { 'retry-after': '5' } } },
  });

const overloaded = () =>
  new GraphQLError('The server is overloaded right now. Try again in a few seconds.', {
    extensions: {
      code: 'Overloaded',
      retryAfterSeconds: OVERLOADED_RETRY_AFTER_SECONDS,
      http: { status: 503, headers: { 'retry-after': String(OVERLOADED_RETRY_AFTER_SECONDS) } },
    },
  });

/** Domain refusals keep their name and details; anything else is masked as "Unexpected error." */
function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (isOverloaded(original)) return overloaded();
  if (databaseUnavailable(original)) return unavailable();
  if (original instanceof DomainError) {
    return new GraphQLError(original.message, {
      extensions: { code: original.code, ...Object.fromEntries(Object.entries(original)) },
    });
  }
  // Pagination arguments Pothos refuses (bad cursor, before+after): the caller's input, not a bug.
  if (original instanceof PothosValidationError) {
    return new GraphQLError(original.message, { extensions: { code: 'InvalidInput' } });
  }
  return yogaMaskError(error, message, isDev);
}

/**
 * A query too big to run is refused before it runs, with `extensions.code: QueryTooComplex` and
 * what to change (armor alone answers "Syntax Error: …" without a code). The limits are in
 * docs/API.md ("Query limits"). Cost counts every field and object once, times the `first`/`last`
 * of each list around it (no extra factor per level): a 500-item page of every documented field
 * of `balanceHistory` or `clients` (with packages) costs 14–20k, twenty such pages in one request
 * ~90k.
 */
function refuseAs(hint: string) {
  return (_context: unknown, error: GraphQLError): never => {
    throw new GraphQLError(`${error.message.replace(/^Syntax Error: /, '')} ${hint}`, {
      extensions: { code: 'QueryTooComplex', http: { status: 400 } },
    });
  };
}

const QUERY_LIMITS = {
  maxDepth: { n: 12, ignoreIntrospection: true, onReject: [refuseAs('Select fewer nested levels.')] },
  maxAliases: { n: 20, onReject: [refuseAs('Use fewer aliases, or send several requests.')] },
  maxDirectives: { n: 20, onReject: [refuseAs('Use fewer directives.')] },
  maxTokens: { n: 3000, onReject: [refuseAs('Send a shorter query.')] },
  costLimit: {
    maxCost: 50_000,
    objectCost: 1,
    scalarCost: 1,
    depthCostFactor: 1,
    ignoreIntrospection: true,
    onReject: [
      refuseAs(
        'Ask for fewer items per page (first/last, at most 500), fewer lists or fewer fields, and page with after.',
      ),
    ],
  },
} satisfies Parameters<typeof EnvelopArmorPlugin>[0];

/** A refusal while authenticating: 429 for an API key over its budget, 503 without a database. */
function asHttpError(error: unknown): never {
  if (isOverloaded(error)) throw overloaded();
  if (databaseUnavailable(error)) throw unavailable();
  if (error instanceof RateLimited) {
    throw new GraphQLError(error.message, {
      extensions: {
        code: error.code,
        retryAfterSeconds: error.retryAfterSeconds,
        http: { status: 429, headers: { 'retry-after': String(error.retryAfterSeconds) } },
      },
    });
  }
  throw error;
}

function bearer(header: string | null): string | null {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match ? match[1] : null;
}

function cookieValue(header: string | null | undefined, name: string): string | null {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

export async function buildApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log = options.logger ?? createLogger({ level: config.logLevel, format: config.logFormat });
  const database =
    options.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.dbPoolSize,
      log,
    }));
  const now = options.now ?? (() => new Date());
  const metrics = new Metrics({ prisma: database.prisma, pool: database.pool, log });
  const signal = config.redisUrl ? redisSignal(config.redisUrl, (message) => log.warn(message)) : memorySignal();
  const hub = new EventHub(database.prisma, signal, (seconds) => metrics.hubLag.observe(seconds));
  const webhookTransport = new WebhookTransport({
    allowPrivateAddresses: config.webhookAllowPrivateAddresses,
    timeoutMs: config.webhookTimeoutMs,
    lookup: options.webhooks?.lookup,
  });
  const limitsRedis = config.redisUrl
    ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }).on('error', () => {})
    : undefined;
  const limits = createLimits({
    apiKeyPerMinute: config.apiKeyRatePerMinute,
    loginFailuresPer15Minutes: 10,
    redis: limitsRedis,
  });
  const ledger: LedgerContext = {
    prisma: database.prisma,
    now,
    teamChanged: (teamId) => {
      hub.teamChanged(teamId);
      webhooks.kick();
    },
    accessChanged: (teamId) => hub.accessChanged(teamId),
    entriesWritten: (events) => {
      for (const event of events) metrics.ledgerEntries.inc({ event });
    },
    limits,
    webhookTransport,
  };
  const webhooks = new WebhookDispatcher(ledger, {
    concurrency: config.webhookConcurrency,
    log: log.child({ component: 'webhooks' }),
    ...options.webhooks,
  });
  const operationLog = operationLogging({ log, metrics });
  const jobsLog = log.child({ component: 'jobs' });
  const jobs = createJobRunner({
    ledger,
    transport: mailTransportFromConfig(config, jobsLog),
    intervalMs: config.jobsIntervalMs,
    log: jobsLog,
    metrics,
  });

  /**
   * A bearer/cookie token is an API key (`pc_…`) or a login token. A request spends one of the
   * key's budget; a subscription re-checking its credentials (`spend: false`) does not.
   */
  async function authenticate(token: string | null, spend = true): Promise<Actor | null> {
    if (!token) return null;
    if (!token.startsWith(API_KEY_PREFIX)) return actorForLogin(ledger, token);
    const actor = await actorForApiKey(ledger, token);
    if (spend && actor?.kind === 'API_KEY') await limits.apiKey(actor.apiKeyId);
    return actor;
  }

  const yoga = createYoga<Record<string, unknown>, RequestContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'Punchcard API', subscriptionsProtocol: 'WS' },
    // Any site may call the API (the balance widget does), but never with the user's cookies:
    // cookie-authenticated calls only work from Punchcard's own origin.
    cors: { origin: '*', credentials: false },
    maskedErrors: { maskError },
    logging: operationLog.yogaLogger,
    plugins: [
      operationLog.plugin,
      useCookies(),
      useNoNulCharacters(),
      // Browsers send cookies on cross-site "simple" requests; demanding a JSON content type or
      // this header makes a forged form post or image GET fail before it runs.
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      EnvelopArmorPlugin(QUERY_LIMITS),
    ],
    context: async ({ request, ...serverContext }) => {
      const loginToken =
        bearer(request.headers.get('authorization')) ?? cookieValue(request.headers.get('cookie'), LOGIN_COOKIE);
      const secure =
        new URL(request.url).protocol === 'https:' ||
        (config.trustProxy && request.headers.get('x-forwarded-proto') === 'https');
      const actor = await authenticate(loginToken).catch(asHttpError);
      const forwarded = config.trustProxy ? request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() : undefined;
      return {
        prisma: database.prisma,
        ledger,
        hub,
        actor,
        clientAddress:
          forwarded ||
          (serverContext as { req?: { socket?: { remoteAddress?: string } } }).req?.socket?.remoteAddress ||
          'unknown',
        loginToken,
        async stillAuthorized() {
          const now = await authenticate(loginToken, false);
          if (!actor || !now || now.teamId !== actor.teamId)
            throw new Unauthenticated('Your access to this team has ended.');
        },
        loginCookie: {
          async set(token) {
            await request.cookieStore?.set({
              name: LOGIN_COOKIE,
              value: token,
              domain: null,
              path: '/',
              httpOnly: true,
              secure,
              sameSite: 'lax',
              expires: Date.now() + LOGIN_DAYS * 86_400_000,
            });
          },
          async clear() {
            await request.cookieStore?.delete(LOGIN_COOKIE);
          },
        },
      };
    },
  });

  function socketToken(ctx: WsContext<Record<string, unknown>, Extra>): string | null {
    const params = ctx.connectionParams;
    return (
      (typeof params?.authorization === 'string' ? bearer(params.authorization) : null) ??
      (typeof params?.token === 'string' ? params.token : null) ??
      cookieValue(ctx.extra.request.headers.cookie, LOGIN_COOKIE)
    );
  }

  const server: Server = createServer(
    httpHandler(
      yoga,
      operationalRoutes({
        prisma: database.prisma,
        pingRedis: limitsRedis && (() => limitsRedis.ping()),
        metrics,
        metricsToken: config.metricsToken,
      }),
    ),
  );
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  // graphql-ws goes through yoga's envelope so sockets get the same schema, plugins and context.
  const wsServer = useServer(
    {
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args),
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args),
      onConnect: async (ctx: WsContext<Record<string, unknown>, Extra>) => {
        const token = socketToken(ctx);
        // Refused sockets are closed with 4403 Forbidden by graphql-ws.
        return (await authenticate(token)) != null;
      },
      onSubscribe: async (ctx: WsContext<Record<string, unknown>, Extra>, _id: string, params: SubscribeParams) => {
        // Sockets carry the login in connectionParams, not headers: hand it to yoga's context as one.
        const token = socketToken(ctx);
        const headers = new Headers({ cookie: ctx.extra.request.headers.cookie ?? '' });
        if (token) headers.set('authorization', `Bearer ${token}`);
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          request: new Request('http://localhost/graphql', { headers }),
          socket: ctx.extra.socket,
          params,
        });
        const args = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        return errors.length ? errors : args;
      },
    },
    wss,
  );

  return {
    yoga,
    database,
    ledger,
    webhooks,
    log,
    metrics,
    jobs,
    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, resolve);
      });
      webhooks.start();
      const { port } = server.address() as AddressInfo;
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      if (config.jobs) jobs.start();
      return { url: `http://${host}:${port}/graphql`, port };
    },
    async stop() {
      await webhooks.stop();
      await jobs.stop();
      await hub.close();
      limitsRedis?.disconnect();
      await wsServer.dispose();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (!options.database) await database.close();
    },
  };
}
