// Capability tokens are compared as SHA-256 digests in constant time, against every configured
// token (no early exit), so neither content nor which token matched leaks through timing.
import { codedTypeError } from '../errors/index.js'
import { checkCapabilityToken } from '../fetch/protocol.js'
import { bs, timingSafeEqual, utf8 } from '../internal/bytes.js'

// The scheme is case-insensitive (RFC 9110 §11.1): `bearer <token>` is the same credential.
const BEARER = /^Bearer +([\x21-\x7e]{1,1024})$/i

export type CapabilityCheck = (authorization: string | null) => Promise<boolean>

export function createCapabilityCheck(value: unknown, crypto: Crypto): CapabilityCheck {
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.capabilityTokens must be a token or a non-empty array of tokens')
  const tokens = (list as unknown[]).map((t, i) => checkCapabilityToken(t, `options.capabilityTokens[${i}]`))
  const hash = async (s: string): Promise<Uint8Array> => new Uint8Array(await crypto.subtle.digest('SHA-256', bs(utf8(s))))
  let expected: Promise<Uint8Array[]> | undefined
  return async function checkCapability(authorization) {
    // A provider that failed once (a remote or hardware Crypto) must not fail every later request.
    expected ??= Promise.all(tokens.map(hash)).catch((err: unknown) => {
      expected = undefined
      throw err
    })
    const digests = await expected
    const m = authorization === null ? null : BEARER.exec(authorization)
    const presented = await hash(m?.[1] ?? '')
    let ok = false
    for (const d of digests) ok = timingSafeEqual(d, presented) || ok
    return ok && m !== null
  }
}
