/** Configuration comes from the environment only; a bad value stops start-up with a clear message. */

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface Config {
  port: number;
  host: string;
  /** postgres://… for a PostgreSQL server; undefined = embedded PGlite in dataDir. */
  databaseUrl?: string;
  dataDir: string;
  dbPoolSize: number;
  redisUrl?: string;
  /** 'auto' seeds a demo studio on a first start of the embedded database only. */
  demo: 'auto' | 'always' | 'never';
  /** Trust X-Forwarded-Proto (behind a TLS-terminating proxy) to mark cookies Secure. */
  trustProxy: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** `json`: one JSON object per line; `pretty`: readable lines; `auto`: pretty on a terminal, else JSON. */
  logFormat: 'json' | 'pretty' | 'auto';
  /** When set, GET /metrics wants `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** Requests one API key may make per minute (shared across instances with Redis). */
  apiKeyRatePerMinute: number;
  // Background jobs and mail (server/jobs, server/mail).
  /** smtp:// or smtps:// URL of the mail relay; undefined = mail stays in the outbox as notifications. */
  smtpUrl?: string;
  /** Sender of every email: `address@domain` or `Name <address@domain>`. */
  mailFrom: string;
  /** Whether this instance runs the background jobs on a timer (`npm run jobs:run-once` works either way). */
  jobs: boolean;
  /** Time between two runs of the jobs in this instance. */
  jobsIntervalMs: number;
  // Webhooks (server/webhooks).
  /** Let webhook URLs reach loopback, private, link-local and unique-local addresses (the operator's own network). */
  webhookAllowPrivateAddresses: boolean;
  /** How long one webhook POST may take (connect to response headers) before it counts as failed. */
  webhookTimeoutMs: number;
  /** Endpoints one instance delivers to at the same time; the rest wait their turn. */
  webhookConcurrency: number;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!values.includes(raw as T)) throw new ConfigError(name, `expected one of ${values.join(', ')}, got "${raw}".`);
  return raw as T;
}

function url(env: Env, name: string, schemes: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `"${raw}" is not a URL.`);
  }
  if (!schemes.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new ConfigError(name, `expected a ${schemes.join(' or ')} URL, got "${parsed.protocol}".`);
  }
  return raw;
}

/** `address@domain` or `Display Name <address@domain>`: what an SMTP relay accepts as a sender. */
function mailbox(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^(?:[^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(raw.trim())) {
    throw new ConfigError(name, `expected "address@domain" or "Name <address@domain>", got "${raw}".`);
  }
  return raw.trim();
}

/** A shared secret sent in a header: printable ASCII without spaces, long enough not to be guessed. */
function token(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^[\x21-\x7e]{16,256}$/.test(raw)) {
    throw new ConfigError(name, 'expected 16–256 printable characters without spaces.');
  }
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  return {
    port: int(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    databaseUrl: url(env, 'DATABASE_URL', ['postgres', 'postgresql']),
    dataDir: env.DATA_DIR || './data',
    dbPoolSize: int(env, 'DB_POOL_SIZE', 10, 1, 500),
    redisUrl: url(env, 'REDIS_URL', ['redis', 'rediss']),
    demo: oneOf(env, 'DEMO', ['auto', 'always', 'never'] as const, 'auto'),
    trustProxy: oneOf(env, 'TRUST_PROXY', ['true', 'false'] as const, 'false') === 'true',
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'] as const, 'info'),
    logFormat: oneOf(env, 'LOG_FORMAT', ['auto', 'json', 'pretty'] as const, 'auto'),
    metricsToken: token(env, 'METRICS_TOKEN'),
    apiKeyRatePerMinute: int(env, 'API_KEY_RATE_PER_MINUTE', 600, 1, 1_000_000),
    smtpUrl: url(env, 'SMTP_URL', ['smtp', 'smtps']),
    mailFrom: mailbox(env, 'MAIL_FROM', 'Punchcard <punchcard@localhost>'),
    jobs: oneOf(env, 'JOBS', ['on', 'off'] as const, 'on') === 'on',
    jobsIntervalMs: int(env, 'JOBS_INTERVAL_MS', 60_000, 1_000, 86_400_000),
    webhookAllowPrivateAddresses:
      oneOf(env, 'WEBHOOK_ALLOW_PRIVATE_ADDRESSES', ['true', 'false'] as const, 'false') === 'true',
    webhookTimeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    webhookConcurrency: int(env, 'WEBHOOK_CONCURRENCY', 16, 1, 1_000),
  };
}
