import { existsSync, readFileSync } from 'node:fs';
import type { CodegenConfig } from '@graphql-codegen/cli';

// The subscriptions the web app uses are described in client/schema-pending.graphql until the
// server's printed SDL has them; after that the committed SDL alone is the source of truth.
const SDL = 'schema/schema.graphql';
const PENDING = 'client/schema-pending.graphql';
const hasRealtime = /\bledgerEvents\b/.test(readFileSync(SDL, 'utf8'));

const config: CodegenConfig = {
  schema: hasRealtime || !existsSync(PENDING) ? [SDL] : [SDL, PENDING],
  documents: ['client/src/**/*.{ts,tsx}', '!client/src/gql/**/*', '!client/src/**/*.test.{ts,tsx}'],
  ignoreNoDocuments: false,
  generates: {
    'client/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: false,
        scalars: { DateTime: 'string', Date: 'string' },
        avoidOptionals: false,
      },
    },
  },
};

export default config;
