import proxyaddr from 'proxy-addr';

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
  /**
   * Which proxies in front may say who the client is (X-Forwarded-For) and that it used https
   * (X-Forwarded-Proto): false = none; a number = that many hops next to the server; a list =
   * these proxy addresses/subnets (proxy-addr's syntax, e.g. `loopback`, `10.0.0.0/8`).
   */
  trustProxy: false | number | string[];
  /** Origins besides the app's own from which a login cookie may open a WebSocket. */
  wsAllowedOrigins: string[];
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

/**
 * `false`/unset: trust no proxy. `true` is one hop (the shipped nginx), never "everything": the
 * left-most X-Forwarded-For entry is whatever the client wrote.
 */
function trustProxy(env: Env): Config['trustProxy'] {
  const raw = env.TRUST_PROXY?.trim();
  if (!raw || raw === 'false') return false;
  if (raw === 'true') return 1;
  if (/^\d+$/.test(raw)) return int(env, 'TRUST_PROXY', 0, 0, 32) || false;
  const list = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  try {
    proxyaddr.compile(list);
  } catch {
    throw new ConfigError(
      'TRUST_PROXY',
      `expected false, a number of proxy hops, or proxy addresses/subnets (e.g. "loopback, 10.0.0.0/8"), got "${raw}".`,
    );
  }
  return list;
}

function origins(env: Env, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((entry) => {
    const value = entry.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(value);
    } catch {}
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== value.replace(/\/$/, '')) {
      throw new ConfigError(
        name,
        `expected comma-separated origins such as "https://app.example.com", got "${value}".`,
      );
    }
    return parsed.origin;
  });
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
    trustProxy: trustProxy(env),
    wsAllowedOrigins: origins(env, 'WS_ALLOWED_ORIGINS'),
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
