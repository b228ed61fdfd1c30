import { afterAll, describe, expect, it } from 'vitest';
import { Admission, DatabaseNotAnswering, isOverloaded, Overloaded } from '../server/db/admission.ts';
import { openDatabase } from '../server/db/index.ts';
import { createPostgresTestDatabase } from '../server/db/test-db.ts';
import { createTestApp, studio } from './helpers.ts';

const postgres = await createPostgresTestDatabase();
if (!postgres) console.warn('SKIPPED: Overloaded over HTTP — no PostgreSQL at TEST_DATABASE_URL / 127.0.0.1:5432.');
afterAll(() => postgres?.drop());

describe('Admission (waiting for a database connection or a team turn)', () => {
  it('lets callers in by turns, first come first served, and every one of a burst below the limits gets in', async () => {
    const admission = new Admission(2, 'slot', { maxQueued: 500 });
    const order: number[] = [];
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 500 }, async (_, i) => {
        const leave = await admission.enter();
        inside++;
        most = Math.max(most, inside);
        order.push(i);
        await new Promise((resolve) => setImmediate(resolve));
        inside--;
        leave();
      }),
    );
    expect(most).toBe(2);
    expect(order).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(admission.idle).toBe(true);
  });

  it('refuses with Overloaded when the queue is full, and takes callers again once it moves', async () => {
    const admission = new Admission(1, 'slot', { maxQueued: 2 });
    const leave = await admission.enter();
    const waiting = [admission.enter(), admission.enter()];
    const refused = await admission.enter().catch((e) => e);
    expect(refused).toBeInstanceOf(Overloaded);
    expect(isOverloaded(new Error('wrapped', { cause: refused }))).toBe(true);
    expect(refused.message).toMatch(/2 requests already wait for a slot/);
    leave();
    for (const next of waiting) (await next)();
    (await admission.enter())();
    expect(admission.idle).toBe(true);
  });

  it('refuses a caller that waited longer than maxWaitMs with Overloaded', async () => {
    const admission = new Admission(1, 'slot', { maxWaitMs: 20 });
    const leave = await admission.enter(); // never left while the other waits
    await expect(admission.enter()).rejects.toBeInstanceOf(Overloaded);
    leave();
    expect(admission.idle).toBe(true);
  });

  it('with stallMs: a queue where no holder finishes is "not answering", not overloaded', async () => {
    const admission = new Admission(1, 'database connection', { stallMs: 20, maxWaitMs: 60_000 });
    const leave = await admission.enter(); // a query on a dead link: never comes back
    const waiter = await admission.enter().catch((e) => e);
    expect(waiter).toBeInstanceOf(DatabaseNotAnswering);
    expect(isOverloaded(waiter)).toBe(false);
    // While it stays stuck, newcomers are told at once instead of queueing.
    await expect(admission.enter()).rejects.toBeInstanceOf(DatabaseNotAnswering);
    leave();
    (await admission.enter())();
  });
});

describe.skipIf(!postgres)('Overloaded over HTTP (PostgreSQL)', () => {
  it('a request past the queue limit gets 503 with Retry-After and code Overloaded, and succeeds once a connection is free', async () => {
    const setup = await createTestApp({ db: postgres! });
    const s = await studio(setup);
    await setup.close();
    // One connection, and no request may wait for it: a stand-in for a full queue.
    const db = await openDatabase({
      databaseUrl: postgres!.url,
      migrate: false,
      poolSize: 1,
      admission: { maxQueued: 0 },
    });
    const t = await createTestApp({ db });
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let holding!: () => void;
      const isHolding = new Promise<void>((resolve) => {
        holding = resolve;
      });
      const transaction = db.prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1`;
        holding();
        await held;
      });
      await isHolding;
      const response = await t.app.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
        body: JSON.stringify({ query: '{ clients(first: 1) { edges { node { id } } } }' }),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('2');
      const body = await response.json();
      expect(body.errors[0]).toMatchObject({
        message: 'The server is overloaded right now. Try again in a few seconds.',
        extensions: { code: 'Overloaded', retryAfterSeconds: 2 },
      });
      release();
      await transaction;
      expect((await t.gql('{ clients(first: 1) { edges { node { id } } } }', {}, s.token)).errors).toBeUndefined();
    } finally {
      await t.close();
      await db.close();
    }
  });
});
