// The data-source screen: one tab per environment the edition offers, each a form
// generated from the kind's fields (`dataSourceKinds`). Saves are patches of one
// environment guarded by its revision, so a colleague's save in between is reported
// (REVISION_CONFLICT) rather than overwritten.
import { useId, useMemo, useState } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import type { DataSourceScreenQuery, OptionsFieldsFragment } from './gql/graphql';
import {
  CopyDataSourceOptionsMutation,
  DataSourceOptionsQuery,
  DataSourceScreenQuery as ScreenQuery,
  TestDataSourceConnectionMutation,
  UpdateDataSourceOptionsMutation,
} from './operations';
import { apiError, describe, type ApiError } from './errors';
import { navigate } from './route';

type Kind = DataSourceScreenQuery['dataSourceKinds'][number];
type Field = Kind['fields'][number];
type Environment = DataSourceScreenQuery['environments'][number];
type DataSourceItem = DataSourceScreenQuery['dataSources']['nodes'][number];

export function DataSourcesScreen({
  dataSourceId,
  environmentId,
}: {
  dataSourceId?: string;
  environmentId?: string;
}) {
  const { data, loading, error } = useQuery(ScreenQuery);
  if (error) return <p className="error" role="alert">{describe(apiError(error))}</p>;
  if (loading || !data) return <p>Loading data sources…</p>;
  const sources = data.dataSources.nodes;
  const selected = sources.find((s) => s.id === dataSourceId) ?? sources[0];
  const kind = selected && data.dataSourceKinds.find((k) => k.kind === selected.kind);
  const environment = data.environments.find((e) => e.id === environmentId) ?? data.environments[0];
  return (
    <section className="screen">
      <h2>Data sources</h2>
      {sources.length === 0 ? (
        <p>This workspace has no data sources yet.</p>
      ) : (
        <div className="inline">
          <label htmlFor="data-source">Data source</label>
          <select
            id="data-source"
            value={selected.id}
            onChange={(event) => navigate({ screen: 'data-sources', dataSourceId: event.target.value })}
          >
            {sources.map((source) => (
              <option key={source.id} value={source.id}>
                {source.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {selected && kind && environment && (
        <EnvironmentTabs
          dataSource={selected}
          kind={kind}
          environments={data.environments}
          current={environment}
        />
      )}
      {selected && !kind && <p className="error">envgate does not know the kind {selected.kind}.</p>}
    </section>
  );
}

/** A notice about the last thing done in one environment, kept above the form so
 *  that it outlives the form being rebuilt for the new revision. */
interface Notice {
  environmentId: string;
  text: string;
}

function EnvironmentTabs({
  dataSource,
  kind,
  environments,
  current,
}: {
  dataSource: DataSourceItem;
  kind: Kind;
  environments: Environment[];
  current: Environment;
}) {
  const { data, loading, error, refetch } = useQuery(DataSourceOptionsQuery, {
    variables: { id: dataSource.id },
  });
  const [notice, setNotice] = useState<Notice | null>(null);
  const tabsId = useId();
  if (error) return <p className="error" role="alert">{describe(apiError(error))}</p>;
  if (loading || !data?.dataSource) return <p>Loading options…</p>;
  const all = data.dataSource.environments;
  const options = all.find((o) => o.environment.id === current.id);
  return (
    <div className="tabs">
      <div role="tablist" aria-label="Environments">
        {environments.map((environment) => {
          const configured = all.find((o) => o.environment.id === environment.id)?.configured;
          return (
            <button
              key={environment.id}
              type="button"
              role="tab"
              id={`${tabsId}-${environment.id}`}
              aria-selected={environment.id === current.id}
              aria-controls={`${tabsId}-panel`}
              onClick={() =>
                navigate({ screen: 'data-sources', dataSourceId: dataSource.id, environmentId: environment.id })
              }
            >
              {environment.name}
              {configured === false && <span className="warn" title="not configured"> ⚠</span>}
            </button>
          );
        })}
      </div>
      <div role="tabpanel" id={`${tabsId}-panel`} aria-labelledby={`${tabsId}-${current.id}`}>
        {notice?.environmentId === current.id && (
          <p className="notice" role="status">
            {notice.text}
          </p>
        )}
        {options ? (
          <EnvironmentForm
            // A new revision (this save, a copy, or a reload) starts a fresh form.
            key={`${options.id}@${options.revision}`}
            dataSource={dataSource}
            kind={kind}
            environment={current}
            environments={environments}
            options={options}
            onDone={(text) => setNotice(text === null ? null : { environmentId: current.id, text })}
            onReload={async () => {
              setNotice(null);
              await refetch();
            }}
          />
        ) : (
          <p>No options for {current.name}.</p>
        )}
      </div>
    </div>
  );
}

/** How the user wants a secret changed; a secret with no edit keeps its value. */
type SecretEdit = { action: 'set'; value: string } | { action: 'clear' };

/** A non-secret field as its input holds it. */
type Draft = string | boolean;

function toDraft(field: Field, value: unknown): Draft {
  if (field.type === 'BOOLEAN') return value === true;
  if (value === null || value === undefined) return '';
  if (field.type === 'STRING_MAP') return JSON.stringify(value, null, 2);
  return String(value);
}

/** The draft as the API wants it; `null` clears. Throws a message for bad input. */
function fromDraft(field: Field, draft: Draft): unknown {
  if (typeof draft === 'boolean') return draft;
  const text = draft.trim();
  if (text === '') return null;
  switch (field.type) {
    case 'INTEGER': {
      const number = Number(text);
      if (!Number.isInteger(number)) throw new Error('must be a whole number');
      return number;
    }
    case 'STRING_MAP': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error('must be a JSON object of strings');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error('must be a JSON object of strings');
      }
      return parsed;
    }
    default:
      return draft;
  }
}

/** The changed fields only: the API saves a patch, so untouched fields (and
 *  untouched secrets) keep whatever is stored, a colleague's edits included. */
function buildPatch(
  fields: Field[],
  initial: Record<string, Draft>,
  drafts: Record<string, Draft>,
  secrets: Record<string, SecretEdit>,
): { patch: { key: string; value: unknown }[]; problems: Record<string, string> } {
  const patch: { key: string; value: unknown }[] = [];
  const problems: Record<string, string> = {};
  for (const field of fields) {
    if (field.secret) {
      const edit = secrets[field.key];
      if (edit?.action === 'clear') patch.push({ key: field.key, value: null });
      if (edit?.action === 'set') {
        if (edit.value === '') problems[field.key] = 'type the new value, or keep the current one';
        else patch.push({ key: field.key, value: edit.value });
      }
      continue;
    }
    if (drafts[field.key] === initial[field.key]) continue;
    try {
      patch.push({ key: field.key, value: fromDraft(field, drafts[field.key]) });
    } catch (error) {
      problems[field.key] = (error as Error).message;
    }
  }
  return { patch, problems };
}

/** What went wrong with the last save or copy, and how to retry it. */
interface Problem {
  error: ApiError;
  retry?: (expectedRevision: number) => void;
}

function EnvironmentForm({
  dataSource,
  kind,
  environment,
  environments,
  options,
  onDone,
  onReload,
}: {
  dataSource: DataSourceItem;
  kind: Kind;
  environment: Environment;
  environments: Environment[];
  options: OptionsFieldsFragment;
  onDone: (text: string | null) => void;
  onReload: () => Promise<void>;
}) {
  const formId = useId();
  const valueOf = (key: string) => options.values.find((v) => v.key === key);
  const initial = useMemo(
    () =>
      Object.fromEntries(
        kind.fields.filter((f) => !f.secret).map((f) => [f.key, toDraft(f, valueOf(f.key)?.value)]),
      ),
    // The form is rebuilt for every revision, so the first options are the ones.
    [],
  );
  const [drafts, setDrafts] = useState<Record<string, Draft>>(initial);
  const [secrets, setSecrets] = useState<Record<string, SecretEdit>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [shownProblems, setShownProblems] = useState<Record<string, string>>({});
  const [test, setTest] = useState<string | null>(null);
  const others = environments.filter((e) => e.id !== environment.id);
  const [copyFrom, setCopyFrom] = useState(others[0]?.id ?? '');
  const [includeSecrets, setIncludeSecrets] = useState(false);

  const [update, { loading: saving }] = useMutation(UpdateDataSourceOptionsMutation);
  const [copy, { loading: copying }] = useMutation(CopyDataSourceOptionsMutation);
  const [testConnection, { loading: testing }] = useMutation(TestDataSourceConnectionMutation);

  const { patch, problems } = buildPatch(kind.fields, initial, drafts, secrets);
  const dirty = patch.length > 0 || Object.keys(problems).length > 0;
  const busy = saving || copying;

  const save = async (expectedRevision: number) => {
    if (Object.keys(problems).length > 0) {
      setShownProblems(problems);
      return;
    }
    setShownProblems({});
    setProblem(null);
    onDone(null);
    try {
      const { data } = await update({
        variables: {
          input: {
            dataSourceId: dataSource.id,
            environmentId: environment.id,
            options: patch,
            expectedRevision,
          },
        },
      });
      const saved = data?.updateDataSourceOptions;
      onDone(`Saved ${environment.name}: revision ${expectedRevision} → ${saved?.revision}.`);
    } catch (error) {
      setProblem({ error: apiError(error), retry: save });
    }
  };

  const copyOver = async (expectedRevision: number) => {
    const from = environments.find((e) => e.id === copyFrom);
    setProblem(null);
    onDone(null);
    try {
      const { data } = await copy({
        variables: {
          input: {
            dataSourceId: dataSource.id,
            fromEnvironmentId: copyFrom,
            toEnvironmentId: environment.id,
            includeSecrets,
            expectedRevision,
          },
        },
      });
      onDone(
        `Copied ${from?.name}'s options ${includeSecrets ? 'and secrets ' : ''}onto ${environment.name}: ` +
          `revision ${expectedRevision} → ${data?.copyDataSourceOptions.revision}.`,
      );
    } catch (error) {
      setProblem({ error: apiError(error), retry: copyOver });
    }
  };

  const runTest = async () => {
    setTest(null);
    try {
      const { data } = await testConnection({
        variables: { dataSourceId: dataSource.id, environmentId: environment.id },
      });
      const result = data?.testDataSourceConnection;
      if (!result) return;
      setTest(
        result.ok
          ? `Connected to ${environment.name} in ${result.latencyMs ?? '?'} ms.`
          : result.supported
            ? `Could not connect: ${result.message}`
            : `Not tested: ${result.message}`,
      );
    } catch (error) {
      setTest(`Could not test: ${describe(apiError(error))}`);
    }
  };

  const fieldError = (key: string) =>
    shownProblems[key] ?? (problem?.error.field === key ? problem.error.message : undefined);

  return (
    <form
      className="options"
      onSubmit={(event) => {
        event.preventDefault();
        void save(options.revision);
      }}
    >
      <p className="meta">
        <span data-testid="revision">Revision {options.revision}</span>
        {' · '}
        {options.configured ? 'configured' : 'not configured: required fields are missing'}
        {options.updatedAt && (
          <>
            {' · last saved '}
            {new Date(options.updatedAt).toLocaleString()}
            {options.updatedBy && <> by {options.updatedBy}</>}
          </>
        )}
      </p>

      {kind.fields.map((field) => {
        const id = `${formId}-${field.key}`;
        const error = fieldError(field.key);
        return (
          <div className="field" key={field.key} data-field={field.key}>
            {field.secret ? (
              <SecretInput
                id={id}
                field={field}
                isSet={valueOf(field.key)?.isSet ?? false}
                edit={secrets[field.key]}
                onEdit={(edit) =>
                  setSecrets((all) => {
                    const next = { ...all };
                    if (edit) next[field.key] = edit;
                    else delete next[field.key];
                    return next;
                  })
                }
              />
            ) : (
              <>
                <label htmlFor={id}>
                  {field.label}
                  {field.required && <span className="required" aria-hidden="true"> *</span>}
                </label>
                <PlainInput
                  id={id}
                  field={field}
                  draft={drafts[field.key]}
                  onChange={(draft) => setDrafts((all) => ({ ...all, [field.key]: draft }))}
                />
              </>
            )}
            {error && <span className="field-error">{error}</span>}
          </div>
        );
      })}

      {problem && <ProblemAlert problem={problem} environment={environment} revision={options.revision} onReload={onReload} />}

      <div className="actions">
        <button type="submit" disabled={busy || patch.length === 0}>
          {saving ? 'Saving…' : `Save ${environment.name}`}
        </button>
        <button type="button" disabled={testing} onClick={() => void runTest()}>
          {testing ? 'Testing…' : 'Test connection'}
        </button>
        {dirty && <span className="hint">Unsaved changes; the test uses the saved options.</span>}
      </div>
      {test && (
        <p className="test-result" role="status" data-testid="test-result">
          {test}
        </p>
      )}

      {others.length > 0 && (
        <fieldset className="copy">
          <legend>Copy from another environment</legend>
          <div className="inline">
            <label htmlFor={`${formId}-copy-from`}>Copy from</label>
            <select
              id={`${formId}-copy-from`}
              value={copyFrom}
              onChange={(event) => setCopyFrom(event.target.value)}
            >
              {others.map((other) => (
                <option key={other.id} value={other.id}>
                  {other.name}
                </option>
              ))}
            </select>
          </div>
          <label className="inline">
            <input
              type="checkbox"
              checked={includeSecrets}
              onChange={(event) => setIncludeSecrets(event.target.checked)}
            />
            including secrets
          </label>
          <button type="button" disabled={busy || dirty} onClick={() => void copyOver(options.revision)}>
            Copy onto {environment.name}
          </button>
          {dirty && <span className="hint">Save or undo your changes first: copying replaces them.</span>}
        </fieldset>
      )}
    </form>
  );
}

function ProblemAlert({
  problem,
  environment,
  revision,
  onReload,
}: {
  problem: Problem;
  environment: Environment;
  revision: number;
  onReload: () => Promise<void>;
}) {
  const { error, retry } = problem;
  if (error.code === 'REVISION_CONFLICT') {
    const current = error.currentRevision;
    return (
      <div className="alert conflict" role="alert">
        <strong>Not saved: someone else changed {environment.name} while you were editing.</strong>{' '}
        You started from revision {revision}; it is now at revision {current ?? 'a newer one'}. Load the
        latest to see their changes (yours are dropped), or apply yours on top of theirs.
        <div className="actions">
          <button type="button" onClick={() => void onReload()}>
            Load the latest
          </button>
          {retry && current !== undefined && (
            <button type="button" onClick={() => retry(current)}>
              Apply mine on top
            </button>
          )}
        </div>
      </div>
    );
  }
  return (
    <div className="alert" role="alert">
      {error.field ? `${error.field}: ` : ''}
      {describe(error)}
    </div>
  );
}

function PlainInput({
  id,
  field,
  draft,
  onChange,
}: {
  id: string;
  field: Field;
  draft: Draft;
  onChange: (draft: Draft) => void;
}) {
  if (field.type === 'BOOLEAN') {
    return <input id={id} type="checkbox" checked={draft === true} onChange={(e) => onChange(e.target.checked)} />;
  }
  const text = typeof draft === 'string' ? draft : '';
  if (field.allowedValues) {
    return (
      <select id={id} value={text} onChange={(e) => onChange(e.target.value)}>
        {(text === '' || !field.required) && <option value="">(not set)</option>}
        {field.allowedValues.map((value) => (
          <option key={value} value={value}>
            {value}
          </option>
        ))}
      </select>
    );
  }
  if (field.type === 'STRING_MAP') {
    return (
      <textarea
        id={id}
        rows={3}
        value={text}
        placeholder='{"X-Header": "value"}'
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  const placeholder =
    field.defaultValue !== null && field.defaultValue !== undefined ? `default: ${String(field.defaultValue)}` : '';
  return (
    <input
      id={id}
      type={field.type === 'INTEGER' ? 'number' : 'text'}
      value={text}
      placeholder={placeholder}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** A secret is never shown: only whether it is set, and a way to set or clear it. */
function SecretInput({
  id,
  field,
  isSet,
  edit,
  onEdit,
}: {
  id: string;
  field: Field;
  isSet: boolean;
  edit: SecretEdit | undefined;
  onEdit: (edit: SecretEdit | undefined) => void;
}) {
  const name = field.label.toLowerCase();
  return (
    <>
      <span className="label" id={`${id}-label`}>
        {field.label}
        {field.required && <span className="required" aria-hidden="true"> *</span>}
      </span>
      <span className={`badge ${isSet ? 'set' : 'unset'}`} data-testid={`secret-${field.key}`}>
        {isSet ? 'set' : 'not set'}
      </span>
      {edit?.action === 'set' ? (
        <>
          <input
            id={id}
            type="password"
            autoComplete="new-password"
            aria-label={`New ${name}`}
            value={edit.value}
            onChange={(e) => onEdit({ action: 'set', value: e.target.value })}
          />
          <button type="button" onClick={() => onEdit(undefined)}>
            Keep current
          </button>
        </>
      ) : edit?.action === 'clear' ? (
        <>
          <em>cleared when you save</em>
          <button type="button" onClick={() => onEdit(undefined)}>
            Keep current
          </button>
        </>
      ) : (
        <>
          <button type="button" onClick={() => onEdit({ action: 'set', value: '' })}>
            Set new {name}
          </button>
          {isSet && (
            <button type="button" onClick={() => onEdit({ action: 'clear' })}>
              Clear {name}
            </button>
          )}
        </>
      )}
    </>
  );
}
