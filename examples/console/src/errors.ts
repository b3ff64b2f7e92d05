// envgate's errors as the screens use them: every GraphQL error carries
// `extensions.code`, a REVISION_CONFLICT also `extensions.currentRevision`, and a
// BAD_USER_INPUT the `extensions.field` it is about. `describe` puts the code in words.
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';

export interface ApiError {
  code: string;
  message: string;
  field?: string;
  currentRevision?: number;
}

interface WireError {
  message?: string;
  extensions?: Record<string, unknown>;
}

function fromWire(error: WireError | undefined, fallback: string): ApiError {
  const extensions = error?.extensions ?? {};
  return {
    code: typeof extensions.code === 'string' ? extensions.code : 'UNKNOWN',
    message: error?.message ?? fallback,
    field: typeof extensions.field === 'string' ? extensions.field : undefined,
    currentRevision:
      typeof extensions.currentRevision === 'number' ? extensions.currentRevision : undefined,
  };
}

/** The first error of a failed operation, whatever layer it failed in. */
export function apiError(error: unknown): ApiError {
  if (CombinedGraphQLErrors.is(error)) {
    return fromWire(error.errors[0] as WireError | undefined, error.message);
  }
  if (ServerError.is(error)) {
    // A request envgate refused as a whole (a bad token, say): its body still holds
    // GraphQL errors with codes.
    try {
      const body = JSON.parse(error.bodyText) as { errors?: WireError[] };
      if (body.errors?.length) return fromWire(body.errors[0], error.message);
    } catch {
      // not JSON: fall through
    }
    return { code: `HTTP_${error.statusCode}`, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'NETWORK_ERROR', message };
}

/** What a code means for the person at the screen, before envgate's own message
 *  (which names the specifics: the environment, the data sources, what is missing). */
const MEANING: Record<string, string> = {
  APPROVAL_REQUIRED: 'Promoting into this environment needs approval by admins: request the promotion instead.',
  ENVIRONMENT_NOT_CONFIGURED: 'Not every data source this version uses is set up in that environment yet.',
  FORBIDDEN: 'Your role may not do this here; an admin can.',
  VERSION_CONFLICT: 'Someone moved this version meanwhile; the screen now shows where it is.',
  LICENSE_REQUIRED: 'This needs the Enterprise edition.',
  UNAUTHENTICATED: 'The token is missing, expired or not valid: paste a fresh one.',
};

/** One line for the user: what the code means, envgate's message, and the code for
 *  searching the docs. */
export function describe(error: ApiError): string {
  const meaning = MEANING[error.code];
  return `${meaning ? `${meaning} ` : ''}${error.message} (${error.code})`;
}
