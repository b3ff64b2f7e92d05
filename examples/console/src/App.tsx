// The console's frame: the token, the Apollo client built for it, who the token says
// we are, and the screens.
import { useEffect, useState, type FormEvent } from 'react';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { ApolloProvider, useQuery } from '@apollo/client/react';
import { OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
import { ConsoleHeaderQuery } from './operations';
import type { ConsoleHeaderQuery as ConsoleHeaderData } from './gql/graphql';
import { apiError, describe } from './errors';
import { href, useRoute, type Route } from './route';
import { DataSourcesScreen } from './DataSourcesScreen';
import { EnvironmentSwitcher } from './EnvironmentSwitcher';
import { PromoteScreen } from './PromoteScreen';
import { ApprovalsInbox } from './ApprovalsInbox';
import { ReleasesScreen } from './ReleasesScreen';
import { DiffScreen } from './DiffScreen';

/** Who the token says we are, as every screen gets it. */
export type Viewer = ConsoleHeaderData['viewer'];

const TOKEN_KEY = 'envgate.console.token';
const GRAPHQL_URL = import.meta.env.VITE_ENVGATE_GRAPHQL_URL ?? '/graphql';

function initialToken(): string {
  return import.meta.env.VITE_ENVGATE_TOKEN ?? window.localStorage.getItem(TOKEN_KEY) ?? '';
}

/** The WebSocket twin of the GraphQL URL (same host, `ws:` or `wss:`). */
function webSocketUrl(): string {
  const url = new URL(GRAPHQL_URL, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/** A client per token: another token may be another workspace, so nothing cached
 *  under the old one may show. Queries and mutations go over HTTP; subscriptions over
 *  one graphql-ws WebSocket (opened on the first subscription), the token in its
 *  `connection_init` payload. The cache normalises every object by `__typename` and
 *  `id`, so an answer or an event about a version, a request or a release updates it
 *  on every screen that shows it. */
function makeClient(token: string): { client: ApolloClient; close: () => void } {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const webSocket = createClient({ url: webSocketUrl(), connectionParams: headers });
  const client = new ApolloClient({
    link: ApolloLink.split(
      (operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION,
      new GraphQLWsLink(webSocket),
      new HttpLink({ uri: GRAPHQL_URL, headers }),
    ),
    cache: new InMemoryCache(),
  });
  return {
    client,
    close: () => {
      client.stop();
      void webSocket.dispose();
    },
  };
}

export function App() {
  const [token, setToken] = useState(initialToken);
  // Made in an effect, so that the client a token no longer uses is closed (its
  // WebSocket too), and React's StrictMode re-run gets a fresh one.
  const [connection, setConnection] = useState<{ token: string; client: ApolloClient } | null>(null);
  useEffect(() => {
    const { client, close } = makeClient(token);
    setConnection({ token, client });
    return close;
  }, [token]);
  const client = connection?.token === token ? connection.client : null;
  const useToken = (next: string) => {
    window.localStorage.setItem(TOKEN_KEY, next);
    setToken(next);
  };
  return (
    <>
      <header className="top">
        <h1>envgate console</h1>
        <TokenForm token={token} onToken={useToken} />
      </header>
      {!token ? (
        <p className="hint">Paste the admin token that <code>cargo run -- serve --demo</code> printed.</p>
      ) : (
        client && (
          <ApolloProvider client={client}>
            <Signed />
          </ApolloProvider>
        )
      )}
    </>
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

const SCREENS: { route: Route; label: string }[] = [
  { route: { screen: 'data-sources' }, label: 'Data sources' },
  { route: { screen: 'apps' }, label: 'App builder' },
  { route: { screen: 'promote' }, label: 'Promote' },
  { route: { screen: 'approvals' }, label: 'Approvals' },
  { route: { screen: 'releases' }, label: 'Releases' },
  { route: { screen: 'diff' }, label: 'Diff' },
];

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
        {SCREENS.map(({ route: target, label }) => (
          <a
            key={target.screen}
            href={href(target)}
            aria-current={route.screen === target.screen ? 'page' : undefined}
          >
            {label}
          </a>
        ))}
      </nav>
      <main>{data && <Screen route={route} viewer={data.viewer} />}</main>
    </>
  );
}

function Screen({ route, viewer }: { route: Route; viewer: Viewer }) {
  switch (route.screen) {
    case 'data-sources':
      return <DataSourcesScreen dataSourceId={route.dataSourceId} environmentId={route.environmentId} />;
    case 'apps':
      return <EnvironmentSwitcher appId={route.appId} />;
    case 'promote':
      return <PromoteScreen appId={route.appId} versionId={route.versionId} viewer={viewer} />;
    case 'approvals':
      return <ApprovalsInbox viewer={viewer} />;
    case 'releases':
      return <ReleasesScreen appId={route.appId} />;
    case 'diff':
      return <DiffScreen fromId={route.fromId} toId={route.toId} />;
  }
}
