// Review 5 (inbound verification): the policy is validated when the verifier is built.
// - Boolean switches that turn a check on must be booleans. A string such as 'true' (a value read
//   from an environment variable or a YAML file) silently left the check off:
//   `requireContentDigest: 'true'` accepted an undigested body, and `accessToken.requireBinding:
//   'true'` accepted an unbound access token.
// - The access-token and Txn-Token steps' options were first checked by the first request that
//   carried such a token (every such request then failed with a 500), not by createRequestVerifier
//   as its TSDoc promises ("synchronously, before any request is handled").
// - With `trustProxy` and several origins, `X-Forwarded-Host: b.example.com:443` (a proxy passing
//   the client's Host on) did not match the configured `https://b.example.com`: the request was
//   reported (`url`, the authorizer's context) as addressed to the first origin.
import { describe, expect, it } from 'vitest'
import { matchTrustDomain } from '../../../src/identifier/index.js'
import { createRequestVerifier, type RequestVerifierPolicy } from '../../../src/server/index.js'
import { trustDomain, wptRequest } from '../../helpers/server-fixtures.js'

const ORIGIN = 'https://api.example.com'

async function policy(extra: Record<string, unknown>): Promise<{ policy: RequestVerifierPolicy; agent: Awaited<ReturnType<Awaited<ReturnType<typeof trustDomain>>['workload']>> }> {
  const td = await trustDomain('example.org')
  const agent = await td.workload('/agents/bot')
  return { agent, policy: { trustBundles: td.trustBundles, origin: ORIGIN, proof: 'wpt', authorize: matchTrustDomain('example.org'), ...extra } as RequestVerifierPolicy }
}

function typeErrorCode(run: () => unknown): string | undefined {
  try {
    run()
  } catch (err) {
    return err instanceof TypeError ? (err as { code?: string }).code : `not a TypeError: ${String(err)}`
  }
  return undefined
}

describe('createRequestVerifier: boolean switches', () => {
  it.each([
    ['requireContentDigest', { requireContentDigest: 'true' }],
    ['requireContentDigest (1)', { requireContentDigest: 1 }],
    ['trustProxy', { trustProxy: 'yes' }],
    ['accessToken.requireBinding', { accessToken: { mode: 'optional', issuer: 'https://as.example.com', audience: ORIGIN, keys: [], requireBinding: 'true' } }],
  ])('refuses a non-boolean %s at construction', async (_name, extra) => {
    const { policy: p } = await policy(extra)
    expect(typeErrorCode(() => createRequestVerifier(p))).toBe('ERR_INVALID_ARG_TYPE')
  })

  it('still accepts booleans (and leaves an undigested WPT body refused with requireContentDigest: true)', async () => {
    const { policy: p, agent } = await policy({ requireContentDigest: true, trustProxy: false })
    const verify = createRequestVerifier(p)
    const req = await wptRequest(agent, `${ORIGIN}/orders`, { method: 'POST', body: '{"amount":1}' })
    await expect(verify(req)).rejects.toMatchObject({ code: 'ERR_DIGEST_MISSING' })
  })
})

describe('createRequestVerifier: access-token and Txn-Token step options', () => {
  it.each([
    ['accessToken.issuer', { accessToken: { mode: 'required', issuer: 123, audience: ORIGIN, keys: [] } }],
    ['accessToken.keys', { accessToken: { mode: 'optional', issuer: 'https://as.example.com', audience: ORIGIN, keys: 'nope' } }],
    ['accessToken.clockTolerance', { accessToken: { mode: 'required', issuer: 'https://as.example.com', audience: ORIGIN, keys: [], clockTolerance: Number.NaN } }],
    ['txnToken.trustDomain and keys', { txnToken: { required: true, trustDomain: 123, keys: 'x' } }],
    ['txnToken without keys', { txnToken: { required: false } }],
  ])('refuses a bad %s at construction', async (_name, extra) => {
    const { policy: p } = await policy(extra)
    expect(['ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE']).toContain(typeErrorCode(() => createRequestVerifier(p)))
  })
})

describe('createRequestVerifier: trusted proxy choosing among several origins', () => {
  it('reads X-Forwarded-Host with the default port as the origin without it', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: ['https://a.example.com', 'https://b.example.com'], trustProxy: true, proof: 'wpt', authorize: matchTrustDomain('example.org') })
    for (const [proto, host] of [['https', 'b.example.com:443'], ['https', 'B.Example.com'], ['https', 'b.example.com']] as const) {
      const signed = await wptRequest(agent, 'https://b.example.com/x?q=1')
      const headers = new Headers(signed.headers)
      headers.set('x-forwarded-proto', proto)
      headers.set('x-forwarded-host', host)
      const result = await verify(new Request('http://10.0.0.7:8080/x?q=1', { headers }))
      expect(result.url).toBe('https://b.example.com/x?q=1')
    }
  })

  it('never picks an origin that is not configured', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: ['https://a.example.com', 'https://b.example.com'], trustProxy: true, proof: 'wpt', authorize: matchTrustDomain('example.org') })
    for (const host of ['b.example.com:8443', 'evil.example', 'b.example.com@evil.example', 'b.example.com/x']) {
      const signed = await wptRequest(agent, `https://${host}/x`).catch(() => undefined)
      const headers = new Headers(signed?.headers ?? (await wptRequest(agent, 'https://evil.example/x')).headers)
      headers.set('x-forwarded-proto', 'https')
      headers.set('x-forwarded-host', host)
      await expect(verify(new Request('http://10.0.0.7:8080/x', { headers }))).rejects.toMatchObject({ code: 'ERR_WPT_AUDIENCE' })
    }
  })
})
