import { inspect } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { localCredentials } from '../../../src/fetch/index.js'
import { parseSignatureInput } from '../../../src/httpsig/index.js'
import { generateSigner } from '../../../src/signer/index.js'
import { decodeWIT } from '../../../src/wit/index.js'
import { trustDomain, type TrustDomainFixture, type Workload } from '../../helpers/server-fixtures.js'

const URL_ = 'https://api.example.com/v1/orders?id=7'
let td: TrustDomainFixture
let agent: Workload

beforeAll(async () => {
  td = await trustDomain('example.org')
  agent = await td.workload('/agents/bot')
})

function payload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>
}
const sha = async (s: string) => Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))).toString('base64url')

describe('localCredentials', () => {
  it('wpt: binds target, method, WIT, access token and Txn-Token; every call is fresh', async () => {
    const credentials = localCredentials({ signer: agent.signer, wit: agent.wit, proof: 'wpt' })
    const headers = new Headers({ authorization: 'Bearer at-123', 'txn-token': 'txn-abc' })
    const a = await credentials.authorize({ method: 'POST', url: URL_, headers })
    const b = await credentials.authorize({ method: 'POST', url: URL_, headers })
    expect(a.get('workload-identity-token')).toBe(agent.wit)
    const claims = payload(a.get('workload-proof-token')!)
    expect(claims.aud).toBe('https://api.example.com/v1/orders')
    expect(claims.htm).toBe('POST')
    expect(claims.wth).toBe(await sha(agent.wit))
    expect(claims.ath).toBe(await sha('at-123'))
    expect(claims.tth).toBe(await sha('txn-abc'))
    expect(payload(b.get('workload-proof-token')!).jti).not.toBe(claims.jti)
    expect([...a.keys()].sort()).toEqual(['workload-identity-token', 'workload-proof-token'])
  })

  it('httpsig: covers method, target, content type, digest and credentials; asks for a signed response', async () => {
    const credentials = localCredentials({ signer: agent.signer, wit: agent.wit, proof: 'httpsig', signResponse: true })
    const headers = new Headers({ 'content-type': 'application/json', authorization: 'Bearer at-1' })
    const granted = await credentials.authorize({ method: 'PUT', url: URL_, contentDigest: 'sha-256=:AAAA:', headers })
    expect([...granted.keys()].sort()).toEqual(['signature', 'signature-input', 'workload-identity-token'])
    const [member] = parseSignatureInput(granted.get('signature-input')!)
    expect(member!.components).toEqual(['"@method"', '"@request-target"', '"content-type"', '"content-digest"', '"authorization"', '"workload-identity-token"'])
    expect(member!.params['wimse-sign-response']).toBe(true)
    expect(member!.params['wimse-aud']).toBe('https://api.example.com/v1/orders')
  })

  it('accepts a WIT source and reports its expiry', async () => {
    let now = Date.now()
    const credentials = localCredentials({ signer: agent.signer, wit: agent.wit, proof: 'wpt', clock: () => now })
    now += 2 * 3600 * 1000
    await expect(credentials.authorize({ method: 'GET', url: URL_, headers: new Headers() })).rejects.toMatchObject({ code: 'ERR_WIT_EXPIRED' })
    const source = { getWIT: async () => ({ token: agent.wit, expiresAt: decodeWIT(agent.wit).claims.exp }) }
    const fromSource = localCredentials({ signer: agent.signer, wit: source, proof: 'wpt' })
    expect((await fromSource.authorize({ method: 'GET', url: URL_, headers: new Headers() })).has('workload-proof-token')).toBe(true)
  })

  it('validates options and requests', async () => {
    const other = await generateSigner('EdDSA')
    const bad = (o: unknown) => () => localCredentials(o as never)
    expect(bad({ signer: agent.signer, wit: agent.wit, proof: 'jwt' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(bad({ signer: agent.signer, wit: agent.wit, proof: 'wpt', signResponse: true })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(bad({ signer: other, wit: agent.wit, proof: 'wpt' })).toThrow(/cnf\.jwk\.alg/)
    expect(bad({ signer: agent.signer, wit: 'not-a-wit', proof: 'wpt' })).toThrow(TypeError)
    expect(bad({ signer: agent.signer, wit: agent.wit, proof: 'wpt', lifetime: Number.NaN })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    // Review 6: a crypto without subtle is refused here, not by every authorize call.
    for (const crypto of [{}, 'webcrypto']) expect(bad({ signer: agent.signer, wit: agent.wit, proof: 'httpsig', crypto })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    const credentials = localCredentials({ signer: agent.signer, wit: agent.wit, proof: 'httpsig' })
    const h = new Headers()
    await expect(credentials.authorize({ method: 'G ET', url: URL_, headers: h })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(credentials.authorize({ method: 'GET', url: '/relative', headers: h })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(credentials.authorize({ method: 'GET', url: 'ftp://x.example/', headers: h })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(credentials.authorize({ method: 'GET', url: 'https://u:p@x.example/', headers: h })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(credentials.authorize({ method: 'GET', url: URL_, contentDigest: 'x\ny', headers: h })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(credentials.authorize({ method: 'GET', url: URL_, headers: {} as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' })
    const aborted = AbortSignal.abort(new Error('stop'))
    await expect(credentials.authorize({ method: 'GET', url: URL_, headers: h }, { signal: aborted })).rejects.toThrow('stop')
  })

  it('shows no key material when printed or serialised', () => {
    const credentials = localCredentials({ signer: agent.signer, wit: agent.wit, proof: 'wpt' })
    expect(JSON.stringify(credentials)).toBe('{"type":"localCredentials","proof":"wpt"}')
    expect(inspect(credentials, { showHidden: true, depth: 10 })).toBe("LocalCredentials { proof: 'wpt' }")
    expect(Object.isFrozen(credentials)).toBe(true)
  })
})
