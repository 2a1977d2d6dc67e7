// Answers the broker produces itself: safe JSON, never cached, marked so the agent side can tell
// them from upstream answers (proxy mode strips the same header from upstream responses).
import type { ErrorCode } from '../errors/codes.js'
import { BROKER_ERROR_HEADER, type BrokerReason } from '../fetch/protocol.js'

const MESSAGES: Readonly<Record<BrokerReason, string>> = {
  unauthorized: 'a valid capability token is required',
  not_found: 'no such broker endpoint',
  invalid_request: 'the request to the broker is malformed',
  origin_not_allowed: 'the policy does not allow this destination origin',
  mode_not_allowed: 'the policy does not allow this mode for the destination',
  path_not_allowed: 'the policy does not allow this path',
  method_not_allowed: 'the policy does not allow this method',
  body_too_large: 'the request body exceeds the policy limit',
  rate_limited: 'the rate limit for this destination was hit',
  approval_denied: 'the request was not approved',
  approval_timeout: 'the approval did not arrive in time',
  approval_failed: 'the approval could not be obtained',
  redirect_not_allowed: 'the destination redirected to a location the policy does not allow',
  audit_failed: 'the audit record could not be written',
  credentials_failed: 'credentials could not be issued',
  upstream_failed: 'the destination could not be reached',
}

export const REASON_STATUS: Readonly<Record<BrokerReason, number>> = {
  unauthorized: 401,
  not_found: 404,
  invalid_request: 400,
  origin_not_allowed: 403,
  mode_not_allowed: 403,
  path_not_allowed: 403,
  method_not_allowed: 403,
  body_too_large: 413,
  rate_limited: 429,
  approval_denied: 403,
  approval_timeout: 403,
  approval_failed: 403,
  redirect_not_allowed: 403,
  audit_failed: 503,
  credentials_failed: 502,
  upstream_failed: 502,
}

function codeOf(status: number): ErrorCode {
  if (status === 401) return 'ERR_BROKER_UNAUTHORIZED'
  if (status === 429) return 'ERR_SIGNER_RATE_LIMITED'
  if (status === 403 || status === 413) return 'ERR_SIGNER_REFUSED'
  if (status === 400 || status === 404) return 'ERR_INVALID_ARG_VALUE'
  return 'ERR_SIGNER_FAILED'
}

export function refusal(reason: BrokerReason, retryAfter?: number): Response {
  const status = REASON_STATUS[reason]
  const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store', [BROKER_ERROR_HEADER]: reason })
  if (status === 401) headers.set('www-authenticate', 'Bearer realm="agentauth-broker"')
  if (retryAfter !== undefined) headers.set('retry-after', String(retryAfter))
  return new Response(JSON.stringify({ error: { code: codeOf(status), reason, message: MESSAGES[reason] } }), { status, headers })
}

export function jsonAnswer(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } })
}
