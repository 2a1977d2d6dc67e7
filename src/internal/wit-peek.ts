// Reads the proof algorithm (cnf.jwk.alg) of a WIT *without verifying it*, so signing code can
// refuse a signer whose algorithm cannot match before it emits a proof nobody will accept.
import { parseCompactJWS } from './jws.js'

/** `cnf.jwk.alg` of a compact WIT, or undefined when the token cannot be decoded or has none. */
export function peekWITProofAlgorithm(wit: string, maxBytes = 16_384): string | undefined {
  try {
    const { payload } = parseCompactJWS(wit, { maxBytes, code: 'ERR_WIT_INVALID', what: 'WIT' })
    const cnf = payload.cnf as { jwk?: { alg?: unknown } } | undefined
    const alg = typeof cnf === 'object' && cnf !== null && typeof cnf.jwk === 'object' && cnf.jwk !== null ? cnf.jwk.alg : undefined
    return typeof alg === 'string' ? alg : undefined
  } catch {
    return undefined
  }
}

/**
 * `cnf.jwk.alg` and `exp` of a compact WIT *without verifying it* (each undefined when the token
 * cannot be decoded or lacks it): signing code refuses to use the workload key once its WIT has
 * expired (draft-ietf-wimse-wpt §3.2).
 */
export function peekWIT(wit: string, maxBytes = 16_384): { readonly alg: string | undefined; readonly exp: number | undefined } {
  try {
    const { payload } = parseCompactJWS(wit, { maxBytes, code: 'ERR_WIT_INVALID', what: 'WIT' })
    const cnf = payload.cnf as { jwk?: { alg?: unknown } } | undefined
    const alg = typeof cnf === 'object' && cnf !== null && typeof cnf.jwk === 'object' && cnf.jwk !== null ? cnf.jwk.alg : undefined
    const exp = payload.exp
    return { alg: typeof alg === 'string' ? alg : undefined, exp: typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined }
  } catch {
    return { alg: undefined, exp: undefined }
  }
}
