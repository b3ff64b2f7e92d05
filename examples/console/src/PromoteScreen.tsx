// Promote: pick a version and see what promoting it would meet (`promotionPreview`):
// the next environment, each data source the version uses that is not configured
// there (with what is missing and a link to that data source's tab), the approvals it
// needs, and why the caller may not promote now. Then promote it, or, where admins
// must approve, request the promotion with a note and follow the request live.
import { useId, useState } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import type { PromoteScreenQuery as ScreenData, PromotionPreviewQuery as PreviewData } from './gql/graphql';
import {
  PromoteAppVersionMutation,
  PromoteScreenQuery,
  PromotionPreviewQuery,
  PromotionRequestsQuery,
  RequestPromotionMutation,
} from './operations';
import { href, navigate } from './route';
import { RequestCard, useLiveRequests } from './requests';
import { AppPicker, Failure, count, useOutcome } from './shared';
import type { Viewer } from './App';

type Kind = ScreenData['dataSourceKinds'][number];
type Preview = PreviewData['promotionPreview'];

export function PromoteScreen({ appId, versionId, viewer }: { appId?: string; versionId?: string; viewer: Viewer }) {
  // Others add and move versions: ask again whenever the screen opens.
  const { data, error } = useQuery(PromoteScreenQuery, { fetchPolicy: 'cache-and-network' });
  if (error) return <Failure error={error} />;
  if (!data) return <p>Loading apps…</p>;
  const apps = data.apps.nodes;
  const app = apps.find((a) => a.id === appId) ?? apps[0];
  if (!app)
    return (
      <section className="screen">
        <h2>Promote</h2>
        <p>This workspace has no apps yet.</p>
      </section>
    );
  const version = app.versions.find((v) => v.id === versionId);
  return (
    <section className="screen">
      <h2>Promote</h2>
      <AppPicker
        id="promote-app"
        apps={apps}
        value={app.id}
        onPick={(id) => navigate({ screen: 'promote', appId: id })}
      />
      <table className="versions">
        <caption>Versions of {app.name}</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Environment</th>
            <th scope="col">Status</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {app.versions.map((v) => (
            <tr key={v.id} className={v.id === version?.id ? 'current' : ''} data-testid={`version-${v.name}`}>
              <td>{v.name}</td>
              <td data-testid="version-environment">{v.environment.name}</td>
              <td>{v.status === 'RELEASED' ? 'released' : 'draft'}</td>
              <td>
                <a href={href({ screen: 'promote', appId: app.id, versionId: v.id })}>Preview promotion of {v.name}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {version ? (
        <PreviewPanel
          key={version.id}
          versionId={version.id}
          appId={app.id}
          kinds={data.dataSourceKinds}
          viewer={viewer}
        />
      ) : (
        <p className="hint">Pick a version to see what promoting it would meet.</p>
      )}
    </section>
  );
}

function PreviewPanel({
  versionId,
  appId,
  kinds,
  viewer,
}: {
  versionId: string;
  appId: string;
  kinds: Kind[];
  viewer: Viewer;
}) {
  // Always asked again when shown: what a promotion meets changes with others' work.
  const preview = useQuery(PromotionPreviewQuery, { variables: { versionId }, fetchPolicy: 'cache-and-network' });
  const requests = useQuery(PromotionRequestsQuery, { variables: { appId } });
  // A review or a decision elsewhere may move this version: read the preview again.
  useLiveRequests((request) => {
    void requests.refetch();
    if (request.version.id === versionId) void preview.refetch();
  });
  const error = preview.error ?? requests.error;
  if (error) return <Failure error={error} />;
  if (!preview.data || !requests.data) return <p>Loading the preview…</p>;
  const p = preview.data.promotionPreview;
  const ofVersion = requests.data.promotionRequests.nodes.filter((r) => r.version.id === versionId);
  const open = ofVersion.find((r) => r.status === 'PENDING');
  return (
    <div className="preview" data-testid="preview">
      <h3>
        {p.to
          ? `${p.version.name}: ${p.from.name} → ${p.to.name}`
          : `${p.version.name} is in ${p.from.name}, the last environment`}
      </h3>
      <p className="meta">
        Uses{' '}
        {p.version.dataSources.length === 0 ? 'no data sources' : p.version.dataSources.map((d) => d.name).join(', ')}.
      </p>
      {p.to && (
        <>
          <Blockers preview={p} kinds={kinds} />
          <p data-testid="approvals-needed">
            {p.requiredApprovals === 0
              ? `${p.to.name} needs no approval.`
              : `${p.to.name} needs ${count(p.requiredApprovals, 'approval')} by admins.`}
            {p.to.protected && ` ${p.to.name} is protected: promoting into it needs an admin.`}
          </p>
        </>
      )}
      {p.reasons.length > 0 && (
        <div className="reasons" data-testid="reasons">
          <strong>You can't promote it directly now:</strong>
          <ul>
            {p.reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
        </div>
      )}
      {p.to && (
        <Actions
          preview={p}
          to={p.to}
          open={Boolean(open)}
          onChanged={async () => {
            await Promise.all([preview.refetch(), requests.refetch()]);
          }}
        />
      )}
      {ofVersion.length > 0 && (
        <>
          <h3>Requests for {p.version.name}</h3>
          {ofVersion.map((request) => (
            <RequestCard key={request.id} request={request} viewer={viewer} />
          ))}
        </>
      )}
    </div>
  );
}

function Blockers({ preview, kinds }: { preview: Preview; kinds: Kind[] }) {
  const to = preview.to!;
  if (preview.blockers.length === 0) {
    return <p className="notice">Every data source it uses is configured in {to.name}.</p>;
  }
  const label = (kind: string, key: string) =>
    kinds.find((k) => k.kind === kind)?.fields.find((f) => f.key === key)?.label ?? key;
  return (
    <div className="blockers" data-testid="blockers">
      <strong>Not configured in {to.name}:</strong>
      <ul>
        {preview.blockers.map(({ dataSource, missingFields, missingConstants }) => (
          <li key={dataSource.id} data-testid="blocker">
            {dataSource.name}
            {missingFields.length > 0 && (
              <> is missing {missingFields.map((f) => label(dataSource.kind, f)).join(', ')}</>
            )}
            {missingFields.length > 0 && missingConstants.length > 0 && ';'}
            {missingConstants.length > 0 && (
              <>
                {' '}
                has no value in {to.name} for {missingConstants.join(', ')}
              </>
            )}
            {' · '}
            <a href={href({ screen: 'data-sources', dataSourceId: dataSource.id, environmentId: to.id })}>
              Open {dataSource.name} in {to.name}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Actions({
  preview,
  to,
  open,
  onChanged,
}: {
  preview: Preview;
  to: NonNullable<Preview['to']>;
  open: boolean;
  onChanged: () => Promise<void>;
}) {
  const noteId = useId();
  const [note, setNote] = useState('');
  const [promote, { loading: promoting }] = useMutation(PromoteAppVersionMutation);
  const [request, { loading: requesting }] = useMutation(RequestPromotionMutation);
  const outcome = useOutcome();
  const variables = { versionId: preview.version.id, fromEnvironmentId: preview.from.id };

  const run = async (action: () => Promise<string>) => {
    await outcome.run(action);
    // Whatever happened (a colleague's move is VERSION_CONFLICT, a data source
    // emptied meanwhile is ENVIRONMENT_NOT_CONFIGURED), show where things stand now.
    await onChanged();
  };

  return (
    <div className="actions-block">
      {preview.requiredApprovals === 0 ? (
        <button
          type="button"
          disabled={promoting || !preview.allowed}
          onClick={() =>
            void run(async () => {
              const { data } = await promote({ variables });
              return `${preview.version.name} is now in ${data?.promoteAppVersion.environment.name}.`;
            })
          }
        >
          Promote to {to.name}
        </button>
      ) : open ? (
        <p className="hint">A request to promote {preview.version.name} waits for review (below).</p>
      ) : (
        <div className="request-form">
          <label htmlFor={noteId}>Note for the reviewers</label>
          <textarea id={noteId} rows={2} value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
          <button
            type="button"
            disabled={requesting}
            onClick={() =>
              void run(async () => {
                await request({ variables: { ...variables, note: note.trim() || null } });
                setNote('');
                return `Requested: ${to.name} needs ${count(preview.requiredApprovals, 'approval')}; the request shows below as admins review it.`;
              })
            }
          >
            Request promotion to {to.name}
          </button>
        </div>
      )}
      {outcome.shown}
    </div>
  );
}
