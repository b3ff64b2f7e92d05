// The app builder's environment switcher: the builder works against the environment
// it picks here, envgate remembers the choice per user and app
// (`selectEnvironment`), and `app.builderEnvironment` gives it back on the next visit.
// The released app is not affected: it always runs on Production.
import { useState } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import type { BuilderAppsQuery as BuilderAppsData } from './gql/graphql';
import { BuilderAppQuery, BuilderAppsQuery, SelectEnvironmentMutation } from './operations';
import { apiError, describe } from './errors';
import { navigate } from './route';

type Environment = BuilderAppsData['environments'][number];

export function EnvironmentSwitcher({ appId }: { appId?: string }) {
  const { data, loading, error } = useQuery(BuilderAppsQuery);
  if (error) return <p className="error" role="alert">{describe(apiError(error))}</p>;
  if (loading || !data) return <p>Loading apps…</p>;
  const apps = data.apps.nodes;
  const selected = apps.find((a) => a.id === appId) ?? apps[0];
  return (
    <section className="screen">
      <h2>App builder</h2>
      {selected ? (
        <>
          <div className="builder-bar">
            <div className="inline">
              <label htmlFor="app">App</label>
              <select
                id="app"
                value={selected.id}
                onChange={(event) => navigate({ screen: 'apps', appId: event.target.value })}
              >
                {apps.map((app) => (
                  <option key={app.id} value={app.id}>
                    {app.name}
                  </option>
                ))}
              </select>
            </div>
            <Switcher key={selected.id} appId={selected.id} environments={data.environments} />
          </div>
        </>
      ) : (
        <p>This workspace has no apps yet.</p>
      )}
    </section>
  );
}

function Switcher({ appId, environments }: { appId: string; environments: Environment[] }) {
  const { data, loading, error } = useQuery(BuilderAppQuery, { variables: { id: appId } });
  const [select, { loading: saving }] = useMutation(SelectEnvironmentMutation);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  if (error) return <p className="error" role="alert">{describe(apiError(error))}</p>;
  if (loading || !data?.app) return <p>Loading the app…</p>;
  const app = data.app;

  const choose = async (environmentId: string) => {
    const environment = environments.find((e) => e.id === environmentId);
    if (!environment) return;
    setNotice(null);
    setProblem(null);
    try {
      await select({
        variables: { appId, environmentId },
        // The switch shows at once; envgate's answer replaces it (or an error undoes it).
        optimisticResponse: {
          __typename: 'Mutation',
          selectEnvironment: {
            __typename: 'App',
            id: appId,
            builderEnvironment: { __typename: 'Environment', id: environment.id, name: environment.name },
          },
        },
      });
      setNotice(`You now build against ${environment.name}; envgate keeps this choice for you.`);
    } catch (err) {
      setProblem(describe(apiError(err)));
    }
  };

  return (
    <>
      <div className="inline">
        <label htmlFor="builder-environment">Environment</label>
        <select
          id="builder-environment"
          value={app.builderEnvironment.id}
          disabled={saving}
          onChange={(event) => void choose(event.target.value)}
        >
          {environments.map((environment) => (
            <option key={environment.id} value={environment.id}>
              {environment.name}
            </option>
          ))}
        </select>
      </div>
      <span className="badge production" data-testid="released">
        Released app: {app.releasedVersion ? app.releasedVersion.name : 'none'} · runs on {app.releasedEnvironment.name}
      </span>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {problem && (
        <p className="alert" role="alert">
          {problem}
        </p>
      )}
      <table className="versions">
        <caption>Versions of {app.name}</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Environment</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {app.versions.map((version) => (
            <tr key={version.id} className={version.environment.id === app.builderEnvironment.id ? 'current' : ''}>
              <td>{version.name}</td>
              <td>{version.environment.name}</td>
              <td>{version.status === 'RELEASED' ? `released (runs on ${app.releasedEnvironment.name})` : 'draft'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
