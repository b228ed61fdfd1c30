import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { printedSchema, SCHEMA_PATH } from '../schema/print.ts';

it('schema/schema.graphql matches the Pothos schema (run `npm run schema:print` after changing it)', () => {
  expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(printedSchema());
});

it('every mutation answers with a union of its payload and typed errors implementing Error', () => {
  const sdl = printedSchema();
  expect(sdl).toMatch(/interface Error \{\s+code: String!\s+message: String!\s+\}/);
  expect(sdl).toMatch(/union LogSessionResult = /);
  for (const error of ['InsufficientCredits', 'PackageExpired', 'PackageExhausted', 'IdempotencyKeyReused']) {
    expect(sdl).toMatch(new RegExp(`union LogSessionResult = [^\\n]*\\b${error}\\b`));
  }
});
