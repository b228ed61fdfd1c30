import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents for the web app: `graphql()` calls beside the components, checked against the
// committed SDL (regenerate it with `npm run schema:print` first when the schema changes).
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['client/src/**/*.{ts,tsx}', '!client/src/gql/**/*', '!client/src/**/*.test.{ts,tsx}'],
  generates: {
    'client/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', Date: 'string' },
      },
    },
  },
};

export default config;
