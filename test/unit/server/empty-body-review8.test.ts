// Review 8: a fetch Request whose body stream is empty (runtimes such as @hono/node-server give
// every POST one, with `Content-Length: 0` or without any framing) was refused ERR_DIGEST_MISSING
// when it carried no Content-Digest: a body-less POST signed by an agent (no body, so no digest)
// passed through the Node adapter and failed through Hono. An empty body is now no body; bytes
// that are there still need the digest.
import { describe, expect, it } from 'vitest'
import { matchAny } from '../../../src/identifier/index.js'
import { createRequestVerifier } from '../../../src/server/index.js'
import { signedRequest, trustDomain, wptRequest } from '../../helpers/server-fixtures.js'

const ORIGIN = 'https://api.example.com'

function withBodyStream(req: Request, chunks: string[]): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new TextEncoder().encode(c))
      controller.close()
    },
  })
  return new Request(req.url, { method: req.method, headers: req.headers, body, duplex: 'half' } as RequestInit)
}

describe('createRequestVerifier: an empty body stream is no body', () => {
  it.each(['httpsig', 'wpt'] as const)('%s: a body-less POST arriving with an empty body stream passes; one with bytes needs its digest', async (kind) => {
    const td = await trustDomain('example.org')
    const agent = await td.workload('/agents/a')
    const verify = createRequestVerifier({ trustBundles: td.trustBundles, origin: ORIGIN, proof: 'either', authorize: matchAny(), requireContentDigest: true })
    const make = (): Promise<Request> => kind === 'httpsig' ? signedRequest(agent, `${ORIGIN}/ping`, { method: 'POST' }) : wptRequest(agent, `${ORIGIN}/ping`, { method: 'POST' })
    const empty = withBodyStream(await make(), [])
    expect(empty.body).not.toBeNull()
    await expect(verify(empty)).resolves.toMatchObject({ workload: { id: agent.id }, method: 'POST' })
    expect(await empty.text()).toBe('') // still readable by the handler
    await expect(verify(withBodyStream(await make(), ['', 'x']))).rejects.toMatchObject({ code: 'ERR_DIGEST_MISSING' })
  })
})
