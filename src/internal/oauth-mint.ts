// Minting of the JWTs the token service issues (access tokens, JWT authorization grants, ID-JAGs):
// validated claims, iat/exp/jti added here, signed through a Signer (the key never leaves it).
import { codedTypeError } from '../errors/index.js'
import { createCompactJWS } from '../signer/jws.js'
import type { Signer } from '../signer/types.js'
import { checkFunction, checkObject } from './oauth-assert.js'
import { randomId } from './oauth-http.js'
import { nowSeconds, type Clock } from './time.js'

export interface MintOptions {
  signer: Signer
  /** Seconds (default 300). */
  lifetime?: number | undefined
  clock?: Clock | undefined
  /** Absolute expiry cap (epoch seconds), e.g. the subject token's exp. */
  notAfter?: number | undefined
}

const GENERATED = ['iat', 'exp', 'jti']

export function checkMintOptions(options: MintOptions, name: string, maxLifetime = 86_400): number {
  checkObject(options, name)
  checkObject(options.signer, `${name}.signer`)
  checkFunction(options.signer.sign, `${name}.signer.sign`)
  const lifetime = options.lifetime ?? 300
  if (typeof lifetime !== 'number' || !Number.isInteger(lifetime) || lifetime < 1 || lifetime > maxLifetime) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name}.lifetime must be an integer number of seconds in [1, ${maxLifetime}]`)
  }
  return lifetime
}

export function requireStringClaim(claims: Record<string, unknown>, name: string, what: string): void {
  const v = claims[name]
  if (typeof v !== 'string' || v.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', `${what} claim "${name}" must be a non-empty string`)
}

/** Signs `claims` plus iat/exp/jti with the given typ. Returns the token and its exp. */
export async function mintJWT(typ: string, claims: Record<string, unknown>, options: MintOptions, lifetime: number): Promise<{ token: string; exp: number; iat: number; jti: string }> {
  for (const g of GENERATED) if (Object.hasOwn(claims, g)) throw codedTypeError('ERR_INVALID_ARG_VALUE', `claim "${g}" is set by the minter`)
  const iat = nowSeconds(options.clock)
  let exp = iat + lifetime
  if (options.notAfter !== undefined) {
    // NaN would make exp NaN, serialised as "exp": null: a token without expiry.
    if (typeof options.notAfter !== 'number' || !Number.isFinite(options.notAfter)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.notAfter must be a finite number of seconds')
    exp = Math.min(exp, Math.floor(options.notAfter))
  }
  if (exp <= iat) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'the token would already be expired (notAfter)')
  const jti = randomId()
  // fromEntries defines own members: an assignment would turn a claim named __proto__ into the
  // payload's prototype and drop it from the token.
  const payload: Record<string, unknown> = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined))
  payload.iat = iat
  payload.exp = exp
  payload.jti = jti
  const token = await createCompactJWS({ typ }, payload, options.signer)
  return { token, exp, iat, jti }
}
