import { writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from './index.ts';

/** Writes schema/schema.graphql, the committed SDL that codegen and API clients read. */
export const SCHEMA_PATH = new URL('./schema.graphql', import.meta.url);
export const printedSchema = () => `${printSchema(schema)}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(SCHEMA_PATH, printedSchema());
  console.log('wrote schema/schema.graphql');
}
