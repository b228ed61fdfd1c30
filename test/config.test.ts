import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../server/config.ts';

describe('loadConfig', () => {
  it('defaults to the embedded database on port 4000 with a demo on first start', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      dataDir: './data',
      dbPoolSize: 10,
      redisUrl: undefined,
      demo: 'auto',
      trustProxy: false,
      logLevel: 'info',
      logFormat: 'auto',
      metricsToken: undefined,
      apiKeyRatePerMinute: 600,
      smtpUrl: undefined,
      mailFrom: 'Punchcard <punchcard@localhost>',
      jobs: true,
      jobsIntervalMs: 60_000,
      webhookAllowPrivateAddresses: false,
      webhookTimeoutMs: 10_000,
      webhookConcurrency: 16,
    });
  });

  it('treats empty values as unset (as `VAR= npm start` or compose files produce them)', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '', DEMO: '', LOG_LEVEL: '', HOST: '', DATA_DIR: '' })).toEqual(
      loadConfig({}),
    );
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        PORT: '8080',
        HOST: '127.0.0.1',
        DATABASE_URL: 'postgresql://app:secret@db:5432/punchcard',
        DATA_DIR: '/var/lib/punchcard',
        DB_POOL_SIZE: '25',
        REDIS_URL: 'rediss://cache:6380',
        DEMO: 'never',
        TRUST_PROXY: 'true',
        LOG_LEVEL: 'silent',
        LOG_FORMAT: 'json',
        METRICS_TOKEN: 'a-long-enough-scrape-token',
        SMTP_URL: 'smtps://mailer:secret@mail.example.com:465',
        MAIL_FROM: 'Studio Alerts <alerts@studio.example>',
        JOBS: 'off',
        JOBS_INTERVAL_MS: '300000',
        WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true',
        WEBHOOK_TIMEOUT_MS: '5000',
        WEBHOOK_CONCURRENCY: '4',
      }),
    ).toEqual({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'postgresql://app:secret@db:5432/punchcard',
      dataDir: '/var/lib/punchcard',
      dbPoolSize: 25,
      redisUrl: 'rediss://cache:6380',
      demo: 'never',
      trustProxy: true,
      logLevel: 'silent',
      logFormat: 'json',
      metricsToken: 'a-long-enough-scrape-token',
      apiKeyRatePerMinute: 600,
      smtpUrl: 'smtps://mailer:secret@mail.example.com:465',
      mailFrom: 'Studio Alerts <alerts@studio.example>',
      jobs: false,
      jobsIntervalMs: 300_000,
      webhookAllowPrivateAddresses: true,
      webhookTimeoutMs: 5_000,
      webhookConcurrency: 4,
    });
    expect(
      loadConfig({ PORT: '0', DATABASE_URL: 'postgres://localhost/x', REDIS_URL: 'redis://localhost' }),
    ).toMatchObject({ port: 0, databaseUrl: 'postgres://localhost/x', redisUrl: 'redis://localhost' });
  });

  it.each([
    ['PORT', 'abc', '"abc"'],
    ['LOG_FORMAT', 'xml', '"xml"'],
    ['PORT', '70000', '"70000"'],
    ['PORT', '-1', '"-1"'],
    ['PORT', '80.5', '"80.5"'],
    ['DATABASE_URL', 'mysql://x', '"mysql:"'],
    ['DATABASE_URL', 'not a url', '"not a url"'],
    ['DB_POOL_SIZE', '0', '"0"'],
    ['DB_POOL_SIZE', 'ten', '"ten"'],
    ['REDIS_URL', 'http://cache:6379', '"http:"'],
    ['DEMO', 'maybe', '"maybe"'],
    ['TRUST_PROXY', 'yes', '"yes"'],
    ['LOG_LEVEL', 'loud', '"loud"'],
    ['SMTP_URL', 'http://mail.example.com', '"http:"'],
    ['MAIL_FROM', 'nobody', '"nobody"'],
    ['JOBS', 'yes', '"yes"'],
    ['JOBS_INTERVAL_MS', '10', '"10"'],
    ['WEBHOOK_ALLOW_PRIVATE_ADDRESSES', 'yes', '"yes"'],
    ['WEBHOOK_TIMEOUT_MS', '50', '"50"'],
    ['WEBHOOK_CONCURRENCY', '0', '"0"'],
  ])('refuses %s=%s with a ConfigError naming the variable', (variable, value, quoted) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(new RegExp(`^${variable}: `));
    // The message quotes the offending value (or scheme), so a typo is easy to spot.
    expect((error as ConfigError).message).toContain(quoted);
  });
});
