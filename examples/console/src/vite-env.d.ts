/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** A token to start with (else the one saved in this browser, else none). */
  readonly VITE_ENVGATE_TOKEN?: string;
  /** Where GraphQL requests go; `/graphql`, proxied by Vite to envgate, by default. */
  readonly VITE_ENVGATE_GRAPHQL_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
