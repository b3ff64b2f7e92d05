// Releases: what runs now, the history (who released what, when, with which note;
// rollbacks and scheduled releases marked), releasing a version with a note, rolling
// back to the release before, and scheduling a release at a time picked in the user's
// own time zone (stored in UTC) or cancelling one. envgate has no subscription for
// releases, so while a release is scheduled the screen asks again every few seconds
// and shows it happen.
import { useEffect, useId, useState } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import type { ReleasesAppFragment } from './gql/graphql';
import {
  CancelScheduledReleaseMutation,
  ReleaseAppVersionMutation,
  ReleasesAppsQuery,
  ReleasesScreenQuery,
  RollbackReleaseMutation,
  ScheduleReleaseMutation,
} from './operations';
import { navigate } from './route';
import { TIME_ZONE, localToUtc, utcToLocal, when } from './time';
import { AppPicker, Failure, useOutcome } from './shared';

/** How often the screen asks again while a release is scheduled. */
const POLL_MS = 2_000;

export function ReleasesScreen({ appId }: { appId?: string }) {
  const { data, error } = useQuery(ReleasesAppsQuery);
  if (error) return <Failure error={error} />;
  if (!data) return <p>Loading apps…</p>;
  const apps = data.apps.nodes;
  const app = apps.find((a) => a.id === appId) ?? apps[0];
  return (
    <section className="screen">
      <h2>Releases</h2>
      {app ? (
        <>
          <AppPicker
            id="releases-app"
            apps={apps}
            value={app.id}
            onPick={(id) => navigate({ screen: 'releases', appId: id })}
          />
          <AppReleases key={app.id} appId={app.id} />
        </>
      ) : (
        <p>This workspace has no apps yet.</p>
      )}
    </section>
  );
}

function AppReleases({ appId }: { appId: string }) {
  // Others release too: ask again whenever the screen opens.
  const { data, error, startPolling, stopPolling } = useQuery(ReleasesScreenQuery, {
    variables: { appId },
    fetchPolicy: 'cache-and-network',
  });
  const app = data?.app;
  const waiting = app?.scheduledReleases.some((s) => s.status === 'SCHEDULED') ?? false;
  useEffect(() => {
    if (!waiting) return;
    startPolling(POLL_MS);
    return () => stopPolling();
  }, [waiting, startPolling, stopPolling]);
  if (error) return <Failure error={error} />;
  if (!data) return <p>Loading releases…</p>;
  if (!app) return <p className="error">This app no longer exists.</p>;
  return (
    <>
      <p className="badge production" data-testid="released-now">
        Running now: {app.releasedVersion ? app.releasedVersion.name : 'nothing released'} on{' '}
        {app.releasedEnvironment.name}
      </p>
      <ReleaseForm app={app} />
      <ScheduleForm app={app} />
      <Scheduled app={app} />
      <History app={app} />
    </>
  );
}

/** The versions that may be released: those in the environment released apps run on. */
function releasable(app: ReleasesAppFragment) {
  return app.versions.filter((v) => v.environment.id === app.releasedEnvironment.id);
}

function VersionPicker({
  id,
  app,
  value,
  onChange,
}: {
  id: string;
  app: ReleasesAppFragment;
  value: string;
  onChange: (id: string) => void;
}) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
      {releasable(app).map((v) => (
        <option key={v.id} value={v.id}>
          {v.name}
          {v.id === app.releasedVersion?.id ? ' (running now)' : ''}
        </option>
      ))}
    </select>
  );
}

function ReleaseForm({ app }: { app: ReleasesAppFragment }) {
  const formId = useId();
  const candidates = releasable(app);
  const [versionId, setVersionId] = useState(
    candidates.find((v) => v.status !== 'RELEASED')?.id ?? candidates[0]?.id ?? '',
  );
  const [note, setNote] = useState('');
  const [release, { loading: releasing }] = useMutation(ReleaseAppVersionMutation);
  const [rollback, { loading: rollingBack }] = useMutation(RollbackReleaseMutation);
  const { run, shown } = useOutcome();
  const earlier = app.releases.nodes.length > 1;
  return (
    <fieldset className="panel">
      <legend>Release now</legend>
      {candidates.length === 0 ? (
        <p className="hint">No version is in {app.releasedEnvironment.name} yet: promote one first.</p>
      ) : (
        <div className="actions">
          <label htmlFor={`${formId}-version`}>Version</label>
          <VersionPicker id={`${formId}-version`} app={app} value={versionId} onChange={setVersionId} />
          <label htmlFor={`${formId}-note`}>Release note</label>
          <input id={`${formId}-note`} value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} />
          <button
            type="button"
            disabled={releasing || !versionId}
            onClick={() =>
              void run(async () => {
                const { data } = await release({ variables: { versionId, note: note.trim() || null } });
                setNote('');
                return `Released ${data?.releaseAppVersion.releasedVersion?.name}.`;
              })
            }
          >
            Release
          </button>
        </div>
      )}
      <div className="actions">
        <button
          type="button"
          disabled={rollingBack || !earlier}
          onClick={() =>
            void run(async () => {
              const { data } = await rollback({ variables: { appId: app.id } });
              return `Rolled back: ${data?.rollbackRelease.releasedVersion?.name} runs again.`;
            })
          }
        >
          Roll back
        </button>
        <span className="hint">
          Releases again the version released before the current one (once more: the one before).
        </span>
      </div>
      {shown}
    </fieldset>
  );
}

function ScheduleForm({ app }: { app: ReleasesAppFragment }) {
  const formId = useId();
  const candidates = releasable(app);
  const [versionId, setVersionId] = useState(candidates[0]?.id ?? '');
  // A time in the user's zone, to the second; an hour from now to start with.
  const [local, setLocal] = useState(() => utcToLocal(new Date(Date.now() + 3_600_000)));
  const [note, setNote] = useState('');
  const [schedule, { loading }] = useMutation(ScheduleReleaseMutation);
  const { run, shown } = useOutcome();
  const at = localToUtc(local);
  if (candidates.length === 0) return null;
  return (
    <fieldset className="panel">
      <legend>Schedule a release</legend>
      <div className="actions">
        <label htmlFor={`${formId}-version`}>Version</label>
        <VersionPicker id={`${formId}-version`} app={app} value={versionId} onChange={setVersionId} />
        <label htmlFor={`${formId}-at`}>Release at</label>
        <input
          id={`${formId}-at`}
          type="datetime-local"
          step={1}
          value={local}
          onChange={(e) => setLocal(e.target.value)}
        />
      </div>
      <p className="timezone" data-testid="schedule-utc">
        Your time zone: {TIME_ZONE}. {at ? `envgate stores ${at} (UTC).` : 'Pick a date and time.'}
      </p>
      <div className="actions">
        <label htmlFor={`${formId}-note`}>Note</label>
        <input id={`${formId}-note`} value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} />
        <button
          type="button"
          disabled={loading || !at || !versionId}
          onClick={() =>
            void run(async () => {
              const { data } = await schedule({
                variables: { versionId, at: at!, note: note.trim() || null },
                refetchQueries: [ReleasesScreenQuery],
                awaitRefetchQueries: true,
              });
              setNote('');
              const scheduled = data?.scheduleRelease;
              return `Scheduled ${scheduled?.version.name} for ${scheduled ? when(scheduled.at) : ''}.`;
            })
          }
        >
          Schedule
        </button>
      </div>
      {shown}
    </fieldset>
  );
}

const SCHEDULE_STATUS = { SCHEDULED: 'scheduled', DONE: 'done', FAILED: 'failed', CANCELLED: 'cancelled' } as const;

function Scheduled({ app }: { app: ReleasesAppFragment }) {
  const [cancel, { loading }] = useMutation(CancelScheduledReleaseMutation);
  const { run, shown } = useOutcome();
  if (app.scheduledReleases.length === 0) return null;
  return (
    <table className="versions" data-testid="scheduled">
      <caption>Scheduled releases (times in {TIME_ZONE})</caption>
      <thead>
        <tr>
          <th scope="col">At</th>
          <th scope="col">Version</th>
          <th scope="col">By</th>
          <th scope="col">Note</th>
          <th scope="col">Status</th>
          <th scope="col" />
        </tr>
      </thead>
      <tbody>
        {app.scheduledReleases.map((s) => (
          <tr key={s.id} data-testid="scheduled-release">
            <td>{when(s.at)}</td>
            <td>{s.version.name}</td>
            <td>{s.scheduledBy}</td>
            <td>{s.note}</td>
            <td>
              <span className={`badge ${s.status.toLowerCase()}`} data-testid="scheduled-status">
                {SCHEDULE_STATUS[s.status]}
              </span>
              {s.failure && <span className="error"> {s.failure}</span>}
            </td>
            <td>
              {s.status === 'SCHEDULED' && (
                <button
                  type="button"
                  disabled={loading}
                  onClick={() =>
                    void run(async () => {
                      await cancel({ variables: { id: s.id } });
                      return `Cancelled the release of ${s.version.name} at ${when(s.at)}.`;
                    })
                  }
                >
                  Cancel
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
      {shown && (
        <tfoot>
          <tr>
            <td colSpan={6}>{shown}</td>
          </tr>
        </tfoot>
      )}
    </table>
  );
}

function History({ app }: { app: ReleasesAppFragment }) {
  const releases = app.releases.nodes;
  return (
    <table className="versions" data-testid="history">
      <caption>Release history (newest first, times in {TIME_ZONE})</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Version</th>
          <th scope="col">Released by</th>
          <th scope="col">Note</th>
          <th scope="col">How</th>
        </tr>
      </thead>
      <tbody>
        {releases.length === 0 && (
          <tr>
            <td colSpan={5}>Never released.</td>
          </tr>
        )}
        {releases.map((r, index) => (
          <tr key={r.id} data-testid="release" className={index === 0 ? 'current' : ''}>
            <td>{when(r.at)}</td>
            <td>{r.version.name}</td>
            <td>{r.releasedBy}</td>
            <td>{r.note}</td>
            <td>{r.rollback ? 'rollback' : r.scheduled ? 'scheduled' : 'release'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
