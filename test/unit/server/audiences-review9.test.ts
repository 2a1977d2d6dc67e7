// Review 9: `policy.audiences` was documented as "exact values", but a bare origin in it is matched
// as that origin followed by the request's path (the audience rules of agentauth/wpt and
// wimse-httpsig), so `audiences: ['https://gw.example.com']` accepted a proof for
// https://gw.example.com/x and refused one whose aud is exactly https://gw.example.com. The TSDoc and
// the API guide now say so; this pins both forms.
import { describe, expect, it } from 'vitest'
import { matchAny } from '../../../src/identifier/index.js'
import { createRequestVerifier } from '../../../src/server/index.js'
import { createWPT } from '../../../src/wpt/index.js'
import { trustDomain } from '../../helpers/server-fixtures.js'

const ORIGIN = 'https://api.example.com'

describe('createRequestVerifier: policy.audiences', () => {
  it('a bare origin matches origin + the request path; a URI with a path matches exactly', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      ['https://gw.example.com', 'https://gw.example.com/x', 'ok'],
      ['https://gw.example.com', 'https://gw.example.com/y', 'ERR_WPT_AUDIENCE'],
      ['https://gw.example.com', 'https://gw.example.com', 'ERR_WPT_AUDIENCE'],
      ['https://gw.example.com/', 'https://gw.example.com/x', 'ok'],
      ['https://gw.example.com/api', 'https://gw.example.com/api', 'ok'],
      ['https://gw.example.com/api', 'https://gw.example.com/x', 'ERR_WPT_AUDIENCE'],
    ]
    for (const [extra, aud, expected] of cases) {
      const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: ORIGIN, proof: 'wpt', authorize: matchAny(), audiences: [extra] })
      const wpt = await createWPT({ wit: agent.wit, signer: agent.signer, uri: `${ORIGIN}/x`, method: 'GET', audience: aud })
      const request = new Request(`${ORIGIN}/x`, { headers: { 'workload-identity-token': agent.wit, 'workload-proof-token': wpt } })
      const result = await verify(request).then(() => 'ok', (e: { code: string }) => e.code)
      expect([extra, aud, result]).toEqual([extra, aud, expected])
    }
  })
})
