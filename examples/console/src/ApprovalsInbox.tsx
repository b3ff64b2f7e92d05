// The approvals inbox: promotion requests waiting for review, and the latest decided,
// live over `promotionRequestChanged` (no reload: a new request appears, a review by
// another admin shows, a decision moves the request down). Admins other than the
// requester approve or reject with a comment; the requester may cancel.
import { useQuery } from '@apollo/client/react';
import type { PromotionRequestFieldsFragment } from './gql/graphql';
import { PromotionRequestsQuery } from './operations';
import { Failure } from './shared';
import { RequestCard, useLiveRequests } from './requests';
import type { Viewer } from './App';

export function ApprovalsInbox({ viewer }: { viewer: Viewer }) {
  const pending = useQuery(PromotionRequestsQuery, { variables: { status: 'PENDING' } });
  const recent = useQuery(PromotionRequestsQuery, { variables: {} });
  // An event updates a request already shown by itself (the cache is normalised by
  // id); the lists are fetched again so that a new request joins them and a decided
  // one moves to the decided list.
  const { live, error: liveError } = useLiveRequests(() => {
    void pending.refetch();
    void recent.refetch();
  });
  const error = pending.error ?? recent.error;
  if (error) return <Failure error={error} />;
  if (!pending.data || !recent.data) return <p>Loading requests…</p>;
  const appName = new Map(pending.data.apps.nodes.map((app) => [app.id, app.name]));
  const waiting = pending.data.promotionRequests.nodes.filter((r) => r.status === 'PENDING');
  const decided = recent.data.promotionRequests.nodes.filter((r) => r.status !== 'PENDING');
  return (
    <section className="screen">
      <h2>Approvals</h2>
      <p className="meta" data-testid="live">
        {live ? '● live: new requests and reviews show as they happen' : `not live: ${liveError}`}
      </p>
      {viewer.role !== 'ADMIN' && (
        <p className="hint">Admins review requests; you can follow them here and cancel your own.</p>
      )}
      <h3>Waiting for review ({waiting.length})</h3>
      <Requests
        testId="waiting"
        requests={waiting}
        empty="Nothing waits for review."
        appName={appName}
        viewer={viewer}
      />
      <h3>Decided</h3>
      <Requests
        testId="decided"
        requests={decided.slice(0, 10)}
        empty="No request decided yet."
        appName={appName}
        viewer={viewer}
      />
    </section>
  );
}

function Requests({
  testId,
  requests,
  empty,
  appName,
  viewer,
}: {
  testId: string;
  requests: PromotionRequestFieldsFragment[];
  empty: string;
  appName: Map<string, string>;
  viewer: Viewer;
}) {
  return (
    <div data-testid={testId}>
      {requests.length === 0 ? (
        <p className="hint">{empty}</p>
      ) : (
        requests.map((request) => (
          <RequestCard
            key={request.id}
            request={request}
            appName={appName.get(request.version.appId)}
            viewer={viewer}
          />
        ))
      )}
    </div>
  );
}
