import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { PothosValidationError } from '@pothos/core';
import { useCookies } from '@whatwg-node/server-plugin-cookies';
import { GraphQLError } from 'graphql';
import { createYoga, maskError as yogaMaskError } from 'graphql-yoga';
import { Redis } from 'ioredis';
import { schema } from '../schema/index.ts';
import { createLimits } from './auth/rate-limit.ts';
import type { Config } from './config.ts';
import type { RequestContext } from './context.ts';
import { isOverloaded, OVERLOADED_RETRY_AFTER_SECONDS } from './db/admission.ts';
import { type Database, openDatabase } from './db/index.ts';
import { EventHub } from './events/hub.ts';
import { memorySignal, redisSignal } from './events/signal.ts';
import { createAuthenticate, requestContext } from './http/auth-context.ts';
import { graphiql } from './http/security-headers.ts';
import { attachWebSocketServer } from './http/websocket.ts';
import { httpHandler } from './http.ts';
import { useNoNulCharacters } from './input-guard.ts';
import { createJobRunner, type JobRunner } from './jobs/runner.ts';
import type { LedgerContext } from './ledger/context.ts';
import { DomainError, RateLimited } from './ledger/errors.ts';
import { useListMaxima } from './list-limits.ts';
import { mailTransportFromConfig } from './mail/transport.ts';
import { operationalRoutes } from './observability/health.ts';
import { createLogger, type Logger } from './observability/log.ts';
import { Metrics } from './observability/metrics.ts';
import { operationLogging } from './observability/operations.ts';
import { type DispatcherOptions, WebhookDispatcher } from './webhooks/dispatcher.ts';
import { type Lookup, WebhookTransport } from './webhooks/transport.ts';

export { LOGIN_COOKIE } from './http/auth-context.ts';

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

  const authenticate = createAuthenticate(ledger, limits);

  const graphiqlPage = graphiql();
  const yoga = createYoga<Record<string, unknown>, RequestContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'Punchcard API', subscriptionsProtocol: 'WS' },
    renderGraphiQL: graphiqlPage.render,
    // Any site may call the API (the balance widget does), but never with the user's cookies:
    // cookie-authenticated calls only work from Punchcard's own origin.
    cors: { origin: '*', credentials: false },
    maskedErrors: { maskError },
    logging: operationLog.yogaLogger,
    plugins: [
      operationLog.plugin,
      useCookies(),
      graphiqlPage.plugin(),
      useNoNulCharacters(),
      useListMaxima(schema),
      // Browsers send cookies on cross-site "simple" requests; demanding a JSON content type or
      // this header makes a forged form post or image GET fail before it runs.
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      EnvelopArmorPlugin(QUERY_LIMITS),
    ],
    context: requestContext({ config, ledger, hub, authenticate, asHttpError }),
  });

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
  const wsServer = attachWebSocketServer(server, {
    yoga,
    ledger,
    authenticate,
    allowedOrigins: config.wsAllowedOrigins,
  });

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
