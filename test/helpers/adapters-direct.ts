// Shared by the Express and Fastify direct-reading tests: a spy on a verifier's direct entry, and
// a verifier that is not from createRequestVerifier.
import type { NodeSource } from '../../src/adapters/node/web-request.js'
import { INBOUND, inboundVerifierOf } from '../../src/server/inbound.js'
import type { RequestVerifier, VerifiedRequest } from '../../src/server/index.js'

export interface SpyLog { direct: number; fetch: number; toRequest: number }

/** Wraps a verifier from createRequestVerifier, counting which entry the adapter used and whether it built a Request. */
export function spyOn(real: RequestVerifier): { verify: RequestVerifier; log: SpyLog } {
  const log: SpyLog = { direct: 0, fetch: 0, toRequest: 0 }
  const inner = inboundVerifierOf(real)!
  const verify = (async (request: Request) => {
    log.fetch += 1
    return real(request)
  }) as RequestVerifier
  Object.defineProperty(verify, INBOUND, {
    value: (source: NodeSource) => {
      log.direct += 1
      const build = source.toRequest.bind(source)
      source.toRequest = () => {
        log.toRequest += 1
        return build()
      }
      return inner(source)
    },
  })
  return { verify, log }
}

/** A verifier that is not from createRequestVerifier: records what it was given. */
export function plainVerifier(seen: unknown[], readBody: boolean): RequestVerifier {
  return (async (request: Request) => {
    seen.push(request instanceof Request, request.method, request.url, request.headers.get('x-trace'))
    if (readBody) seen.push(await request.clone().text())
    return Object.freeze({ workload: { id: 'spiffe://example.org/plain' } }) as unknown as VerifiedRequest
  }) as RequestVerifier
}
