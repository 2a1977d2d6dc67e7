// Errors that concern an OAuth Bearer access token (RFC 6750), whatever their code: `errorResponse`
// answers them with a `Bearer` challenge, other verification errors with the workload scheme.
// Marked where they are thrown (agentauth/access-token), so the codes stay the shared ones
// (ERR_TOKEN_EXPIRED, ERR_CONFIRMATION_MISMATCH …).
const bearerErrors = new WeakSet<object>()

/** Marks `err` (when it is an object) as an access-token error and returns it. */
export function markBearerError<T>(err: T): T {
  if (typeof err === 'object' && err !== null) bearerErrors.add(err)
  return err
}

/** Whether `err` was marked by {@link markBearerError}. */
export function isBearerError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && bearerErrors.has(err)
}
