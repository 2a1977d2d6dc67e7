import { codedTypeError } from '../errors/index.js'
import { assertString } from '../internal/assert.js'
import { hasLoneSurrogate } from '../internal/json.js'
import type { ClientAuthentication } from './types.js'

// A lone surrogate has no UTF-8 form: URLSearchParams would send U+FFFD (another secret) and
// encodeURIComponent throws an uncoded URIError.
function assertSecret(clientSecret: string): void {
  assertString(clientSecret, 'clientSecret')
  if (hasLoneSurrogate(clientSecret)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'clientSecret must be well-formed Unicode text (no lone surrogate)')
}

// RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding.
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function base64(value: string): string {
  const bytes = new TextEncoder().encode(value)
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s)
}

/**
 * `client_secret_post` (RFC 6749 §2.3.1): the secret travels in the form body.
 *
 * **Legacy servers only — never in agent-side code.** A shared secret is a bearer credential: a
 * prompt-injected agent that can read it can impersonate the client anywhere. Use it only in a
 * trusted broker or service that talks to a server without `private_key_jwt` or mTLS support.
 *
 * @param clientSecret - the shared secret.
 * @returns a {@link ClientAuthentication}.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` when the secret is not a non-empty,
 *   well-formed (no lone surrogate) string.
 *
 * @example
 * ```ts
 * import { clientSecretPost } from 'agentauth/client-auth'
 * const auth = clientSecretPost(await secrets.get("legacy-as")) // broker process only
 * ```
 */
export function clientSecretPost(clientSecret: string): ClientAuthentication {
  assertSecret(clientSecret)
  return async function clientSecretPostAuth(context) {
    context.body.set('client_id', context.clientId)
    context.body.set('client_secret', clientSecret)
  }
}

/**
 * `client_secret_basic` (RFC 6749 §2.3.1): HTTP Basic with the form-encoded client id and secret.
 *
 * **Legacy servers only — never in agent-side code** (see {@link clientSecretPost}).
 *
 * @param clientSecret - the shared secret.
 * @returns a {@link ClientAuthentication}.
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` when the secret is not a non-empty,
 *   well-formed (no lone surrogate) string; `ERR_INVALID_ARG_VALUE` at use for a client id with a lone surrogate.
 *
 * @example
 * ```ts
 * import { clientSecretBasic } from 'agentauth/client-auth'
 * const auth = clientSecretBasic(await secrets.get("legacy-as")) // broker process only
 * ```
 */
export function clientSecretBasic(clientSecret: string): ClientAuthentication {
  assertSecret(clientSecret)
  return async function clientSecretBasicAuth(context) {
    if (hasLoneSurrogate(context.clientId)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'client id must be well-formed Unicode text (no lone surrogate)')
    context.headers.set('authorization', `Basic ${base64(`${formEncode(context.clientId)}:${formEncode(clientSecret)}`)}`)
  }
}
