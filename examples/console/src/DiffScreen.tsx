// The environment diff: two environment pickers and what differs between them
// (`environmentDiff`): per data source, the options whose values or set-state differ
// (secrets only as set or not set, never a value) and whether apps can run against
// each side; per constant, set-state and plain values.
import { useQuery } from '@apollo/client/react';
import type { DiffEnvironmentsQuery as EnvironmentsData, EnvironmentDiffQuery as DiffData } from './gql/graphql';
import { DiffEnvironmentsQuery, EnvironmentDiffQuery } from './operations';
import { Failure } from './shared';
import { href, navigate } from './route';

type Kind = EnvironmentsData['dataSourceKinds'][number];
type Diff = DiffData['environmentDiff'];

export function DiffScreen({ fromId, toId }: { fromId?: string; toId?: string }) {
  const { data, error } = useQuery(DiffEnvironmentsQuery);
  if (error) return <Failure error={error} />;
  if (!data) return <p>Loading environments…</p>;
  const environments = data.environments;
  // By default, the last step of the pipeline: the environment before the default
  // one against the default one (Staging against Production).
  const fallbackTo = environments.find((e) => e.isDefault) ?? environments[environments.length - 1];
  const to = environments.find((e) => e.id === toId) ?? fallbackTo;
  const before = environments.filter((e) => e.priority < (to?.priority ?? 0));
  const from = environments.find((e) => e.id === fromId) ?? before[before.length - 1] ?? environments[0];
  const picker = (id: string, label: string, value: string | undefined, onChange: (id: string) => void) => (
    <div className="inline">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {environments.map((e) => (
          <option key={e.id} value={e.id}>
            {e.name}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <section className="screen">
      <h2>Diff</h2>
      {picker('diff-from', 'From', from?.id, (id) => navigate({ screen: 'diff', fromId: id, toId: to?.id }))}
      {picker('diff-to', 'To', to?.id, (id) => navigate({ screen: 'diff', fromId: from?.id, toId: id }))}
      {from && to && from.id === to.id && <p className="hint">Pick two different environments.</p>}
      {from && to && from.id !== to.id && <Differences fromId={from.id} toId={to.id} kinds={data.dataSourceKinds} />}
    </section>
  );
}

function Differences({ fromId, toId, kinds }: { fromId: string; toId: string; kinds: Kind[] }) {
  // Others change options all the time: always ask again when shown.
  const { data, error } = useQuery(EnvironmentDiffQuery, {
    variables: { fromId, toId },
    fetchPolicy: 'cache-and-network',
  });
  if (error) return <Failure error={error} />;
  if (!data) return <p>Comparing…</p>;
  const diff = data.environmentDiff;
  if (diff.dataSources.length === 0 && diff.constants.length === 0) {
    return (
      <p className="notice">
        {diff.from.name} and {diff.to.name} are configured alike.
      </p>
    );
  }
  return (
    <>
      {diff.dataSources.length > 0 && <DataSources diff={diff} kinds={kinds} />}
      {diff.constants.length > 0 && <Constants diff={diff} />}
    </>
  );
}

/** A value as the diff shows it: secrets only as set or not set. */
function Value({ secret, set, value }: { secret: boolean; set: boolean; value: unknown }) {
  if (!set) return <span className="badge unset">not set</span>;
  if (secret || value === null || value === undefined) return <span className="badge set">set</span>;
  return <code>{typeof value === 'string' ? value : JSON.stringify(value)}</code>;
}

function DataSources({ diff, kinds }: { diff: Diff; kinds: Kind[] }) {
  const label = (kind: string, key: string) =>
    kinds.find((k) => k.kind === kind)?.fields.find((f) => f.key === key)?.label ?? key;
  return (
    <table className="versions diff" data-testid="diff-data-sources">
      <caption>Data sources</caption>
      <thead>
        <tr>
          <th scope="col">Data source</th>
          <th scope="col">Option</th>
          <th scope="col">{diff.from.name}</th>
          <th scope="col">{diff.to.name}</th>
        </tr>
      </thead>
      <tbody>
        {diff.dataSources.flatMap(({ dataSource, fromConfigured, toConfigured, options }) => [
          <tr key={dataSource.id} className="current">
            <th scope="row" colSpan={2}>
              <a href={href({ screen: 'data-sources', dataSourceId: dataSource.id, environmentId: diff.to.id })}>
                {dataSource.name}
              </a>
            </th>
            <td>{fromConfigured ? 'configured' : <span className="error">not configured</span>}</td>
            <td>{toConfigured ? 'configured' : <span className="error">not configured</span>}</td>
          </tr>,
          ...options.map((o) => (
            <tr key={`${dataSource.id}-${o.key}`} data-testid="diff-option">
              <td />
              <td>
                {label(dataSource.kind, o.key)}
                {o.secret && ' (secret)'}
              </td>
              <td className="from">
                <Value secret={o.secret} set={o.fromSet} value={o.from} />
              </td>
              <td className="to">
                <Value secret={o.secret} set={o.toSet} value={o.to} />
                {o.secret && o.fromSet && o.toSet && <span className="hint"> (differs)</span>}
              </td>
            </tr>
          )),
        ])}
      </tbody>
    </table>
  );
}

function Constants({ diff }: { diff: Diff }) {
  return (
    <table className="versions diff" data-testid="diff-constants">
      <caption>Constants</caption>
      <thead>
        <tr>
          <th scope="col">Constant</th>
          <th scope="col">{diff.from.name}</th>
          <th scope="col">{diff.to.name}</th>
        </tr>
      </thead>
      <tbody>
        {diff.constants.map((c) => {
          const secret = c.constant.type === 'SECRET';
          return (
            <tr key={c.constant.id} data-testid="diff-constant">
              <td>
                {c.constant.name}
                {secret && ' (secret)'}
              </td>
              <td className="from">
                <Value secret={secret} set={c.fromSet} value={c.from} />
              </td>
              <td className="to">
                <Value secret={secret} set={c.toSet} value={c.to} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
