// The console's frame: the token, the Apollo client built for it, who the token says
// we are, and the two screens.
import { useMemo, useState, type FormEvent } from 'react';
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { ApolloProvider, useQuery } from '@apollo/client/react';
import { ConsoleHeaderQuery } from './operations';
import { apiError, describe } from './errors';
import { href, useRoute } from './route';
import { DataSourcesScreen } from './DataSourcesScreen';
import { EnvironmentSwitcher } from './EnvironmentSwitcher';

const TOKEN_KEY = 'envgate.console.token';
const GRAPHQL_URL = import.meta.env.VITE_ENVGATE_GRAPHQL_URL ?? '/graphql';

function initialToken(): string {
  return import.meta.env.VITE_ENVGATE_TOKEN ?? window.localStorage.getItem(TOKEN_KEY) ?? '';
}

/** A client per token: another token may be another workspace, so nothing cached
 *  under the old one may show. */
function makeClient(token: string): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({
      uri: GRAPHQL_URL,
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    }),
    cache: new InMemoryCache(),
  });
}

export function App() {
  const [token, setToken] = useState(initialToken);
  const client = useMemo(() => makeClient(token), [token]);
  const useToken = (next: string) => {
    window.localStorage.setItem(TOKEN_KEY, next);
    setToken(next);
  };
  return (
    <ApolloProvider client={client}>
      <header className="top">
        <h1>envgate console</h1>
        <TokenForm token={token} onToken={useToken} />
      </header>
      {token ? <Signed /> : <p className="hint">Paste the admin token that <code>cargo run -- serve --demo</code> printed.</p>}
    </ApolloProvider>
  );
}

function TokenForm({ token, onToken }: { token: string; onToken: (token: string) => void }) {
  const [draft, setDraft] = useState(token);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onToken(draft.trim());
  };
  return (
    <form className="token" onSubmit={submit}>
      <label htmlFor="token">API token</label>
      <input
          id="token"
          type="password"
          autoComplete="off"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          placeholder="eyJ..."
        />
      <button type="submit">Use token</button>
    </form>
  );
}

function Signed() {
  const route = useRoute();
  const { data, error } = useQuery(ConsoleHeaderQuery);
  return (
    <>
      <div className="whoami" aria-live="polite">
        {error && <span className="error">{describe(apiError(error))}</span>}
        {data && (
          <span>
            {data.viewer.userId} · {data.viewer.role} · workspace {data.viewer.workspaceId} ·{' '}
            {data.edition.name} ({data.edition.licenseStatus})
          </span>
        )}
      </div>
      <nav className="screens">
        <a href={href({ screen: 'data-sources' })} aria-current={route.screen === 'data-sources' ? 'page' : undefined}>
          Data sources
        </a>
        <a href={href({ screen: 'apps' })} aria-current={route.screen === 'apps' ? 'page' : undefined}>
          App builder
        </a>
      </nav>
      <main>
        {route.screen === 'data-sources' ? (
          <DataSourcesScreen dataSourceId={route.dataSourceId} environmentId={route.environmentId} />
        ) : (
          <EnvironmentSwitcher appId={route.appId} />
        )}
      </main>
    </>
  );
}
