// Fixtures for server / fetch / adapter tests: a trust domain with an issuer, an agent with a WIT,
// and helpers to build signed requests both ways (WPT and WIMSE HTTP signature).
import { staticTrustBundles } from '../../src/bundle/index.js'
import { generateSigner, type JWSAlgorithm, type Signer } from '../../src/signer/index.js'
import { signWIMSERequest } from '../../src/wimse-httpsig/index.js'
import { createWIT } from '../../src/wit/index.js'
import { createWPT } from '../../src/wpt/index.js'

export interface Workload {
  readonly id: string
  readonly signer: Signer
  readonly wit: string
}

export interface TrustDomainFixture {
  readonly name: string
  readonly issuer: Signer
  readonly trustBundles: ReturnType<typeof staticTrustBundles>
  workload(path: string, options?: { alg?: JWSAlgorithm; lifetime?: number; clock?: () => number; jti?: string }): Promise<Workload>
}

export async function trustDomain(name = 'example.org', alg: JWSAlgorithm = 'ES256'): Promise<TrustDomainFixture> {
  const issuer = await generateSigner(alg, { kid: `${name}-issuer` })
  const trustBundles = staticTrustBundles({ [name]: [await issuer.publicJwk()] })
  return {
    name,
    issuer,
    trustBundles,
    async workload(path, options = {}) {
      const signer = await generateSigner(options.alg ?? 'ES256')
      const id = `spiffe://${name}${path}`
      const wit = await createWIT(
        { sub: id, cnf: { jwk: await signer.publicJwk() }, ...(options.jti ? { jti: options.jti } : {}) },
        { signer: issuer, lifetime: options.lifetime ?? 3600, ...(options.clock ? { clock: options.clock } : {}) },
      )
      return { id, signer, wit }
    },
  }
}

/** A request carrying the workload's WIT and a WPT for `url`. */
export async function wptRequest(w: Workload, url: string, init: RequestInit = {}, extra: { accessToken?: string; clock?: () => number } = {}): Promise<Request> {
  const headers = new Headers(init.headers)
  if (extra.accessToken) headers.set('authorization', `Bearer ${extra.accessToken}`)
  const wpt = await createWPT({ wit: w.wit, signer: w.signer, uri: url, method: init.method ?? 'GET', ...(extra.accessToken ? { accessToken: extra.accessToken } : {}), ...(extra.clock ? { clock: extra.clock } : {}) })
  headers.set('workload-identity-token', w.wit)
  headers.set('workload-proof-token', wpt)
  return new Request(url, { ...init, headers })
}

/** A request signed with the WIMSE HTTP-signature profile. */
export async function signedRequest(w: Workload, url: string, init: RequestInit = {}, extra: { clock?: () => number; signResponse?: boolean } = {}): Promise<Request> {
  const unsigned = new Request(url, init)
  const fields = await signWIMSERequest(unsigned, { wit: w.wit, signer: w.signer, ...(extra.clock ? { clock: extra.clock } : {}), ...(extra.signResponse ? { signResponse: true } : {}) })
  const headers = new Headers(init.headers)
  for (const [k, v] of Object.entries(fields.headers)) headers.set(k, v)
  return new Request(url, { ...init, headers })
}
