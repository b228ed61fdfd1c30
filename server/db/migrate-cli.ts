// npm run db:migrate            → tsx server/db/migrate-cli.ts apply
// npm run db:migration -- <name> → tsx server/db/migrate-cli.ts create <name>
//
// Stands in for `prisma migrate deploy` / `prisma migrate dev --create-only`, which cannot run
// here (see migrations.ts). `apply` targets DATABASE_URL, or else PGlite in DATA_DIR (./data).

import { migrateConfiguredDatabase } from './index.ts';
import { createMigration } from './migrations.ts';

const USAGE = `Usage:
  tsx server/db/migrate-cli.ts apply           apply pending migrations to DATABASE_URL, or PGlite in DATA_DIR (default ./data)
  tsx server/db/migrate-cli.ts create <name>   write prisma/migrations/<timestamp>_<name>/migration.sql from prisma/schema.prisma`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === 'apply' && rest.length === 0) {
    const { applied, target } = await migrateConfiguredDatabase();
    if (applied.length === 0) console.log(`${target}: up to date`);
    else
      console.log(
        `${target}: applied ${applied.length} migration(s):\n${applied.map((name) => `  ${name}`).join('\n')}`,
      );
    return 0;
  }
  if (command === 'create' && rest.length === 1 && rest[0].trim()) {
    const dir = await createMigration(rest[0]);
    console.log(dir ?? 'no changes: prisma/schema.prisma matches the existing migrations');
    return 0;
  }
  console.error(command === 'create' ? `Missing or extra migration name.\n\n${USAGE}` : USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
