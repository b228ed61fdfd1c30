import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import type { Database } from '../server/db/index.ts';
import { openDatabase } from '../server/db/index.ts';
import { applyMigrations, createMigration, MIGRATIONS_DIR, SCHEMA_PATH } from '../server/db/migrations.ts';
import { createPostgresTestDatabase, createTestDatabase } from '../server/db/test-db.ts';

const migrationNames = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('migrations', () => {
  it('apply init to an empty PGlite, then nothing the second time', async () => {
    const pglite = await PGlite.create();
    try {
      expect(migrationNames[0]).toMatch(/^\d{14}_init$/);
      expect(await applyMigrations({ kind: 'pglite', pglite })).toEqual({ applied: migrationNames });
      expect(await applyMigrations({ kind: 'pglite', pglite })).toEqual({ applied: [] });
      const { rows } = await pglite.query<{ migration_name: string }>(
        'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name',
      );
      expect(rows.map((row) => row.migration_name)).toEqual(migrationNames);
    } finally {
      await pglite.close();
    }
  });

  it('apply init to an empty PostgreSQL database, then nothing the second time', async (ctx) => {
    const db = await createPostgresTestDatabase({ migrate: false });
    if (!db) return ctx.skip();
    try {
      expect(await applyMigrations({ kind: 'postgres', url: db.url })).toEqual({ applied: migrationNames });
      expect(await applyMigrations({ kind: 'postgres', url: db.url })).toEqual({ applied: [] });
    } finally {
      await db.drop();
    }
  });

  it('a DATABASE_URL without a user connects as the operating-system user, like psql', async (ctx) => {
    const db = await createPostgresTestDatabase();
    if (!db) return ctx.skip();
    const url = new URL(db.url);
    url.username = '';
    const anonymous = await openDatabase({ databaseUrl: url.href, migrate: false }).catch((error: Error) => error);
    try {
      // The OS user may lack a role on some machines: then the error must say so, not crash.
      if (anonymous instanceof Error) expect(anonymous.message).toMatch(/denied|role|authentication/i);
      else expect(await anonymous.prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    } finally {
      if (!(anonymous instanceof Error)) await anonymous.close();
      await db.drop();
    }
  });

  it('a failing migration is reported, recorded as failed, and blocks later ones', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pc-migrations-'));
    const pglite = await PGlite.create();
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const bad = path.join(dir, '29990101000000_bad');
      await cp(path.join(dir, migrationNames[0]), bad, { recursive: true });
      await writeFile(path.join(bad, 'migration.sql'), 'CREATE TABLE "Half" (id int);\nSELECT * FROM "NoSuchTable";\n');

      await expect(applyMigrations({ kind: 'pglite', pglite }, { migrationsDir: dir })).rejects.toThrow(/NoSuchTable/);
      // The script ran as one transaction: nothing of it is left behind.
      const { rows } = await pglite.query<{ t: string | null }>(`SELECT to_regclass('"Half"')::text AS t`);
      expect(rows[0].t).toBeNull();
      await expect(applyMigrations({ kind: 'pglite', pglite }, { migrationsDir: dir })).rejects.toThrow(
        /failed migrations/,
      );
    } finally {
      await pglite.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('createMigration finds nothing to add after init, and never drops the hand-written constraints', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pc-migrations-'));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const schemaPath = path.join(dir, 'schema.prisma');
      await cp(SCHEMA_PATH, schemaPath);
      expect(await createMigration('nothing', { migrationsDir: dir, schemaPath })).toBeNull();

      // A real change to the tables that carry CHECKs and the partial index.
      const schema = (await readFile(SCHEMA_PATH, 'utf8'))
        .replace(/(model Package \{\n)/, '$1  colour String?\n')
        .replace(/(model LedgerEntry \{\n)/, '$1  memo String?\n');
      await writeFile(schemaPath, schema);
      const created = await createMigration('add colour', { migrationsDir: dir, schemaPath });
      expect(created).toMatch(/\d{14}_add_colour$/);
      const sql = await readFile(path.join(created as string, 'migration.sql'), 'utf8');
      expect(sql).toMatch(/ALTER TABLE "Package" ADD COLUMN\s+"colour" TEXT/);
      expect(sql).toMatch(/ALTER TABLE "LedgerEntry" ADD COLUMN\s+"memo" TEXT/);
      expect(sql).not.toMatch(/DROP|CHECK/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

type Open = () => Promise<(Database & { drop?: () => Promise<void> }) | null>;
const backends: [string, Open][] = [
  ['PGlite', createTestDatabase],
  ['PostgreSQL', createPostgresTestDatabase],
];

describe.each(backends)('%s', (_name, open) => {
  /** Runs `fn` on a fresh database; skips the test when PostgreSQL is not there (outside CI). */
  async function withDatabase(ctx: { skip(): never }, fn: (db: Database) => Promise<void>) {
    const db = await open();
    if (!db) return ctx.skip();
    try {
      await fn(db);
    } finally {
      await (db.drop ?? db.close)();
    }
  }

  async function seed(db: Database) {
    const team = await db.prisma.team.create({ data: { name: 'Studio' } });
    const client = await db.prisma.client.create({ data: { teamId: team.id, name: 'Ada' } });
    return { team, client };
  }

  it('CHECK constraints reject a negative remainingCredits and a note over 500 characters', (ctx) =>
    withDatabase(ctx, async (db) => {
      const { team, client } = await seed(db);
      const pkg = { teamId: team.id, clientId: client.id, name: '10 sessions', totalCredits: 10 };
      await expect(db.prisma.package.create({ data: { ...pkg, remainingCredits: -1 } })).rejects.toThrow(
        /Package_remainingCredits_nonnegative/,
      );
      await expect(db.prisma.package.create({ data: { ...pkg, remainingCredits: 11 } })).rejects.toThrow(
        /Package_remainingCredits_within_total/,
      );
      const created = await db.prisma.package.create({ data: { ...pkg, remainingCredits: 10 } });

      const entry = {
        teamId: team.id,
        clientId: client.id,
        packageId: created.id,
        event: 'ISSUED' as const,
        amount: 10,
        balanceAfter: 10,
        actorKind: 'SYSTEM' as const,
      };
      await expect(
        db.prisma.ledgerEntry.create({ data: { ...entry, sequence: 1, note: 'x'.repeat(501) } }),
      ).rejects.toThrow(/LedgerEntry_note_length/);
      await db.prisma.ledgerEntry.create({ data: { ...entry, sequence: 1, note: 'x'.repeat(500) } });
    }));

  it('a session can never have two USED entries', (ctx) =>
    withDatabase(ctx, async (db) => {
      const { team, client } = await seed(db);
      const pkg = await db.prisma.package.create({
        data: { teamId: team.id, clientId: client.id, name: 'P', totalCredits: 5, remainingCredits: 5 },
      });
      const session = await db.prisma.session.create({
        data: { teamId: team.id, clientId: client.id, packageId: pkg.id, status: 'COMPLETED', startsAt: new Date() },
      });
      const used = {
        teamId: team.id,
        clientId: client.id,
        packageId: pkg.id,
        sessionId: session.id,
        event: 'USED' as const,
        amount: -1,
        balanceAfter: 4,
        actorKind: 'SYSTEM' as const,
      };
      await db.prisma.ledgerEntry.create({ data: { ...used, sequence: 1 } });
      await expect(db.prisma.ledgerEntry.create({ data: { ...used, sequence: 2 } })).rejects.toThrow(
        /Unique constraint failed|LedgerEntry_one_used_per_session/,
      );
      // A USED entry without a session, or taking two credits, is refused too.
      await expect(db.prisma.ledgerEntry.create({ data: { ...used, sessionId: null, sequence: 3 } })).rejects.toThrow(
        /LedgerEntry_used_shape/,
      );
    }));

  it('50 concurrent interactive transactions on one team row: no error, no lost update', (ctx) =>
    withDatabase(ctx, async (db) => {
      const { team, client } = await seed(db);
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          db.prisma.$transaction(async (tx) => {
            const [row] = await tx.$queryRaw<{ lastSequence: number }[]>`
              SELECT "lastSequence" FROM "Team" WHERE "id" = ${team.id} FOR UPDATE`;
            const sequence = row.lastSequence + 1;
            await tx.team.update({ where: { id: team.id }, data: { lastSequence: sequence } });
            const pkg = await tx.package.create({
              data: { teamId: team.id, clientId: client.id, name: `P${i}`, totalCredits: 1, remainingCredits: 1 },
            });
            await tx.ledgerEntry.create({
              data: {
                teamId: team.id,
                sequence,
                clientId: client.id,
                packageId: pkg.id,
                event: 'ISSUED',
                amount: 1,
                balanceAfter: sequence,
                actorKind: 'SYSTEM',
              },
            });
            return sequence;
          }),
        ),
      );
      const errors = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
      expect(errors).toEqual([]);
      const sequences = results.map((r) => (r.status === 'fulfilled' ? r.value : 0)).sort((a, b) => a - b);
      expect(sequences).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect((await db.prisma.team.findUniqueOrThrow({ where: { id: team.id } })).lastSequence).toBe(50);
      expect(await db.prisma.ledgerEntry.count({ where: { teamId: team.id } })).toBe(50);
    }));

  it('a statement outside an open transaction is not caught up in it', (ctx) =>
    withDatabase(ctx, async (db) => {
      const { team } = await seed(db);
      let inside!: () => void;
      const insideDone = new Promise<void>((resolve) => {
        inside = resolve;
      });
      const rolledBack = db.prisma
        .$transaction(async (tx) => {
          await tx.client.create({ data: { teamId: team.id, name: 'inside' } });
          inside();
          await new Promise((resolve) => setTimeout(resolve, 200));
          throw new Error('roll back');
        })
        .catch((error: Error) => error.message);
      await insideDone;
      // Sent while the transaction is open: PGlite runs it after, PostgreSQL beside it.
      await db.prisma.client.create({ data: { teamId: team.id, name: 'outside' } });
      expect(await rolledBack).toBe('roll back');
      const names = (await db.prisma.client.findMany({ where: { teamId: team.id }, select: { name: true } })).map(
        (c) => c.name,
      );
      expect(names.sort()).toEqual(['Ada', 'outside']);
    }));
});

describe('PGlite, one connection', () => {
  it('timers still fire during a burst of transactions (the event loop is not starved)', async () => {
    const db = await createTestDatabase();
    try {
      const { id } = await db.prisma.team.create({ data: { name: 'Studio' } });
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const started = Date.now();
      await Promise.all(
        Array.from({ length: 100 }, () =>
          db.prisma.$transaction(async (tx) => {
            await tx.$executeRaw`SELECT 1 FROM "Team" WHERE "id" = ${id} FOR UPDATE`;
            await tx.team.update({ where: { id }, data: { lastSequence: { increment: 1 } } });
          }),
        ),
      );
      clearInterval(timer);
      // Without the yield between transactions the whole burst is one chain of microtasks and
      // `ticks` stays 0, however long it takes.
      expect(Date.now() - started).toBeGreaterThan(20);
      expect(ticks).toBeGreaterThan(0);
      expect((await db.prisma.team.findUniqueOrThrow({ where: { id } })).lastSequence).toBe(100);
    } finally {
      await db.close();
    }
  });
});
