// Promotion requests as both the approvals inbox and the promote screen show them:
// one card per request (who asked, the note, the reviews so far, and what the viewer
// may do with it), kept live by the `promotionRequestChanged` subscription.
import { useId, useState } from 'react';
import { useMutation, useSubscription } from '@apollo/client/react';
import type { PromotionRequestFieldsFragment } from './gql/graphql';
import {
  CancelPromotionRequestMutation,
  PromotionRequestChangedSubscription,
  ReviewPromotionRequestMutation,
} from './operations';
import { apiError, describe } from './errors';
import { when } from './time';
import { count, useOutcome } from './shared';
import type { Viewer } from './App';

type Request = PromotionRequestFieldsFragment;

/** Subscribes while the screen is open. Every event is written to the cache by
 *  itself (a known request changes in place, its version with it); `onEvent` lets the
 *  screen fetch its lists again (a new request joins them, a decided one changes
 *  list). `live` says whether the subscription runs (false after an error). */
export function useLiveRequests(onEvent: (request: Request) => void): { live: boolean; error?: string } {
  const { error } = useSubscription(PromotionRequestChangedSubscription, {
    onData: ({ data }) => {
      const request = data.data?.promotionRequestChanged;
      if (request) onEvent(request);
    },
  });
  return error ? { live: false, error: describe(apiError(error)) } : { live: true };
}

const STATUS: Record<Request['status'], string> = {
  PENDING: 'waiting for review',
  APPROVED: 'approved: promoted',
  REJECTED: 'rejected',
  CANCELLED: 'cancelled by the requester',
  STALE: 'stale: the version moved by other means',
};

export function RequestCard({ request, appName, viewer }: { request: Request; appName?: string; viewer: Viewer }) {
  const commentId = useId();
  const [comment, setComment] = useState('');
  const [review, { loading: reviewing }] = useMutation(ReviewPromotionRequestMutation);
  const [cancel, { loading: cancelling }] = useMutation(CancelPromotionRequestMutation);
  const approvals = request.reviews.filter((r) => r.approved).length;
  const mine = request.requestedBy === viewer.userId;
  const reviewed = request.reviews.some((r) => r.actor === viewer.userId);
  const pending = request.status === 'PENDING';
  const canReview = pending && viewer.role === 'ADMIN' && !mine && !reviewed;

  const { run, shown } = useOutcome();
  const decide = (approve: boolean) =>
    run(async () => {
      await review({ variables: { id: request.id, approve, comment: comment.trim() || null } });
      setComment('');
      return approve ? 'You approved it.' : 'You rejected it.';
    });

  return (
    <article
      className={`request ${request.status.toLowerCase()}`}
      data-testid="request"
      aria-label={`Request ${request.version.name} to ${request.to.name}`}
    >
      <header>
        <strong>
          {appName ? `${appName} · ` : ''}
          {request.version.name}: {request.from.name} → {request.to.name}
        </strong>{' '}
        <span className={`badge status-${request.status.toLowerCase()}`} data-testid="request-status">
          {STATUS[request.status]}
        </span>
      </header>
      <p className="meta">
        requested by {request.requestedBy} {mine && '(you)'} on {when(request.createdAt)}
        {request.decidedAt && <> · decided {when(request.decidedAt)}</>} · the version is now in{' '}
        <span data-testid="request-version-environment">{request.version.environment.name}</span>
      </p>
      {request.note && <blockquote className="note">{request.note}</blockquote>}
      <p className="meta" data-testid="request-approvals">
        {approvals} of {count(request.to.requiredApprovals, 'approval')}
      </p>
      {request.reviews.length > 0 && (
        <ul className="reviews">
          {request.reviews.map((r) => (
            <li key={r.actor}>
              {r.approved ? '✔ approved' : '✘ rejected'} by {r.actor} on {when(r.at)}
              {r.comment && <>: “{r.comment}”</>}
            </li>
          ))}
        </ul>
      )}
      {canReview && (
        <div className="actions">
          <label htmlFor={commentId}>Comment</label>
          <input id={commentId} value={comment} onChange={(e) => setComment(e.target.value)} placeholder="optional" />
          <button type="button" disabled={reviewing} onClick={() => void decide(true)}>
            Approve
          </button>
          <button type="button" className="danger" disabled={reviewing} onClick={() => void decide(false)}>
            Reject
          </button>
        </div>
      )}
      {pending && mine && (
        <div className="actions">
          <span className="hint">Admins other than you review it.</span>
          <button
            type="button"
            disabled={cancelling}
            onClick={() =>
              void run(async () => {
                await cancel({ variables: { id: request.id } });
                return 'You cancelled your request.';
              })
            }
          >
            Cancel my request
          </button>
        </div>
      )}
      {pending && !mine && reviewed && <p className="hint">You reviewed it; waiting for other admins.</p>}
      {shown}
    </article>
  );
}
