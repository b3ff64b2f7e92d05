// graphql-codegen: typed documents for every `graphql(...)` call in src/, generated
// from envgate's committed schema (the same file the server's contract test checks).
// `npm run codegen` rewrites src/gql/; `npm run codegen:check` fails when that
// changes anything, so the committed types never drift from schema.graphql.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: {
        // Components read the fields they asked for directly: no fragment masking.
        fragmentMasking: false,
      },
      config: {
        // envgate's scalars as they arrive in JSON.
        scalars: { DateTime: 'string', JSON: 'unknown' },
        enumsAsTypes: true,
        useTypeImports: true,
        // Apollo adds __typename to every selection; saying so lets optimistic
        // responses carry it (the cache needs it to find the object).
        nonOptionalTypename: true,
      },
    },
  },
};

export default config;
