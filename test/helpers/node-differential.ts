// The two servers of the Node reader differential tests: one verifies on the direct path
// (verifyIncomingMessage reads the IncomingMessage), the other converts with toWebRequest and
// verifies the fetch Request. Both answer the same JSON outcome (status and code, or the caller,
// method, URL and body the handler saw).
import { createServer, type ServerResponse } from 'node:http'
import { afterAll, beforeAll, expect } from 'vitest'
import { toWebRequest, verifyIncomingMessage } from '../../src/adapters/node/index.js'
import { matchId } from '../../src/identifier/index.js'
import { createRequestVerifier, errorResponse, type RequestVerifier, type VerifiedRequest } from '../../src/server/index.js'
import { createMemoryReplayCache } from '../../src/stores/index.js'
import { adapterFixture, BODY_LIMIT, ORIGIN, type AdapterFixture } from './adapters-fixtures.js'
import { listen, type StartedServer } from './adapters-suite.js'
import { sendRaw, type RawOutcome } from './raw-http.js'

/** The reader options both servers use. */
export const DIFFERENTIAL_OPTIONS: Readonly<{ publicOrigin: string; maxBodyBytes: number }> = Object.freeze({ publicOrigin: ORIGIN, maxBodyBytes: BODY_LIMIT })

/** A verifier for the fixture's agent: either proof, Content-Digest required, 8 KiB of headers. */
export function differentialVerifier(fx: AdapterFixture): RequestVerifier {
  return createRequestVerifier({
    trustBundles: fx.td.trustBundles,
    origin: ORIGIN,
    proof: 'either',
    authorize: matchId(fx.agent.id),
    replayCache: createMemoryReplayCache(),
    requireContentDigest: true,
    limits: { bodyBytes: BODY_LIMIT, headerBytes: 8 * 1024 },
  })
}

/** Answers the outcome of `run` as JSON: `{ status: 200, id, body, method, url }` or `{ status, code }`. */
export async function answerOutcome(res: ServerResponse, run: () => Promise<{ verified: VerifiedRequest; request: Request }>): Promise<void> {
  try {
    const { verified, request } = await run()
    const body = await request.text()
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ status: 200, id: verified.workload.id, body, method: verified.method, url: verified.url }))
  } catch (err) {
    const r = errorResponse(err)
    const { code } = (await r.clone().json()) as { code: string }
    res.statusCode = r.status
    res.end(JSON.stringify({ status: r.status, code }))
  }
}

/** Starts the direct-path server and the toWebRequest server, each with its own verifier. */
export async function startDifferentialPair(fx: AdapterFixture): Promise<{ direct: StartedServer; converted: StartedServer }> {
  const viaDirect = differentialVerifier(fx)
  const viaRequest = differentialVerifier(fx)
  const direct = await listen(createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => void answerOutcome(res, () => verifyIncomingMessage(req, viaDirect, DIFFERENTIAL_OPTIONS))))
  const converted = await listen(createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => void answerOutcome(res, async () => {
    const request = toWebRequest(req, DIFFERENTIAL_OPTIONS)
    return { verified: await viaRequest(request), request }
  })))
  return { direct, converted }
}

/** The pair, started before the suite's tests and closed after them, and a way to send to both. */
export interface DifferentialPair {
  /** The fixture whose agent both verifiers accept (set once the suite has started). */
  readonly fx: AdapterFixture
  /** Sends the same bytes to both servers, expects equal outcomes and returns the outcome. */
  both(payload: string): Promise<RawOutcome>
}

/** Registers `beforeAll` / `afterAll` in the current suite for a {@link startDifferentialPair}. */
export function useDifferentialPair(): DifferentialPair {
  const state: { fx?: AdapterFixture; direct?: StartedServer; converted?: StartedServer } = {}
  beforeAll(async () => {
    state.fx = await adapterFixture()
    Object.assign(state, await startDifferentialPair(state.fx))
  })
  afterAll(async () => {
    await state.direct?.close()
    await state.converted?.close()
  })
  return {
    get fx() { return state.fx! },
    async both(payload) {
      const [a, b] = await Promise.all([sendRaw(state.direct!.base, payload), sendRaw(state.converted!.base, payload)])
      expect(a).toEqual(b)
      return a
    },
  }
}
