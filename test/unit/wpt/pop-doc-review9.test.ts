// Review round 9: docs/proof-of-possession.md "Side by side", run against the real API (fixtures
// for the keys; no network: the requests are handed to the receiver code directly).
import { describe, expect, it } from 'vitest'
import { staticTrustBundles } from '../../../src/bundle/index.js'
import { generateSigner } from '../../../src/signer/index.js'
import { createMemoryReplayCache } from '../../../src/stores/index.js'
import { createWIT, verifyWIT } from '../../../src/wit/index.js'
import { createWPT, parseWPTHeaders, verifyWPT, WIT_HEADER, WPT_HEADER } from '../../../src/wpt/index.js'
import { signWIMSERequest, verifyWIMSERequest } from '../../../src/wimse-httpsig/index.js'

describe('docs/proof-of-possession.md side by side', () => {
  it('both proofs verify as the snippet shows', async () => {
    const issuer = await generateSigner('ES256', { kid: 'i1' })
    const signer = await generateSigner('ES256')
    const wit = await createWIT({ sub: 'wimse://example.org/caller', publicJwk: await signer.publicJwk() }, { signer: issuer })
    const trustBundles = staticTrustBundles({ 'example.org': [await issuer.publicJwk()] })
    const PUBLIC_ORIGIN = 'https://api.example.org'
    const url = `${PUBLIC_ORIGIN}/orders`
    const accessToken = 'at-1'
    const body = '{"a":1}'
    const replayCache = createMemoryReplayCache()

    async function receive(request: Request): Promise<string> {
      const callerWIT = await verifyWIT(request.headers.get(WIT_HEADER) ?? '', { trustBundles })
      if (request.headers.has(WPT_HEADER)) {
        const sent = parseWPTHeaders(request)
        await verifyWPT(sent.wpt, { wit: callerWIT, uri: request.url, audience: PUBLIC_ORIGIN, accessToken: sent.accessToken, txnToken: sent.txnToken, replayCache })
        return 'wpt'
      }
      await verifyWIMSERequest(request, { wit: callerWIT, audience: PUBLIC_ORIGIN, replayCache })
      return 'httpsig'
    }

    const wpt = await createWPT({ wit, signer, uri: url, accessToken })
    expect(await receive(new Request(url, { headers: { [WIT_HEADER]: wit, [WPT_HEADER]: wpt, authorization: `Bearer ${accessToken}` } }))).toBe('wpt')

    const request = new Request(url, { method: 'POST', body, headers: { authorization: `Bearer ${accessToken}` } })
    const signed = await signWIMSERequest(request, { wit, signer })
    for (const [name, value] of Object.entries(signed.headers)) request.headers.set(name, value)
    expect(await receive(request)).toBe('httpsig')
  })
})
