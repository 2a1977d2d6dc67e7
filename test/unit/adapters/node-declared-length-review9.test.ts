// Review 9: docs/api-guide.md said a declared Content-Length over the limit is answered 413 "before
// any proof is checked". That holds when the body is read for a digest check (always with HTTP
// signatures); a WPT request without a digest check is verified without reading the body, and the
// limit applies when the handler reads it. The guide now says so; this pins both paths.
import { createServer, request as httpRequest, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createNodeHandler } from '../../../src/adapters/node/index.js'
import { createRequestVerifier } from '../../../src/server/index.js'
import { createWPT } from '../../../src/wpt/index.js'
import { signedRequest, trustDomain } from '../../helpers/server-fixtures.js'

const servers: Server[] = []
afterEach(() => { for (const s of servers.splice(0)) s.close() })

async function post(port: number, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/x', method: 'POST', headers }, (res) => { res.resume(); resolve(res.statusCode!) })
    req.on('error', reject)
    req.end(body)
  })
}

describe('createNodeHandler: a declared Content-Length over maxBodyBytes', () => {
  it('is 413 before the signature check with HTTP signatures, and 413 when the handler reads it with a WPT', async () => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/bot')
    const origin = 'http://127.0.0.1'
    const results: Array<[string, number, number, number]> = []
    for (const proof of ['httpsig', 'wpt'] as const) {
      let authorized = 0
      let handled = 0
      const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin, proof, authorize: () => { authorized++; return true }, limits: { bodyBytes: 100 } })
      const server = createServer(createNodeHandler(verify, async (request) => {
        handled++
        await request.arrayBuffer()
        return new Response('read')
      }, { publicOrigin: origin, maxBodyBytes: 100 }))
      servers.push(server)
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const port = (server.address() as { port: number }).port
      const body = 'a'.repeat(1000)
      let headers: Record<string, string>
      if (proof === 'wpt') {
        headers = { 'workload-identity-token': agent.wit, 'workload-proof-token': await createWPT({ wit: agent.wit, signer: agent.signer, uri: `${origin}/x`, method: 'POST' }) }
      } else {
        headers = Object.fromEntries((await signedRequest(agent, `${origin}/x`, { method: 'POST', body })).headers)
      }
      results.push([proof, await post(port, { ...headers, 'content-length': String(body.length) }, body), authorized, handled])
    }
    expect(results).toEqual([
      ['httpsig', 413, 0, 0], // refused before the signature is checked
      ['wpt', 413, 1, 1], // verified without the body; cut off when the handler reads it
    ])
  })
})
