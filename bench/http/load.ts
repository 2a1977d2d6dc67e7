// One autocannon run against a server on loopback, from this (client) process. Each request takes
// the next entry of the proof pool; a verifying run never reuses an entry (when the pool runs dry
// the run stops and is flagged). `fixed` is for the servers that verify nothing: they ignore the
// headers, which are sent only so that every variant parses the same bytes, so every request
// carries the first entry (a static request: the load generator does least work per request).
import autocannon, { type Result } from 'autocannon'
import { PATH } from './config.js'
import { headersOf, type Fixture, type ProofPool } from './pool.js'

export interface LoadOptions {
  readonly port: number
  readonly connections: number
  readonly seconds: number
  readonly fixture: Fixture
  readonly pool: ProofPool
  /** Index of the first pool entry to use (warm-up and measurement share one pool). */
  readonly start: number
  readonly fixed: boolean
}

export interface LoadResult {
  readonly result: Result
  /** Pool entries consumed (requests built, including those in flight when the run ended; 0 when fixed). */
  readonly used: number
  readonly exhausted: boolean
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { fixture, pool, fixed } = options
  const entries = pool.entries
  let next = options.start
  let exhausted = false
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url: `http://127.0.0.1:${options.port}`,
      connections: options.connections,
      pipelining: 1,
      duration: options.seconds,
      timeout: 10,
      requests: [fixed ? { method: 'GET', path: PATH, headers: headersOf(fixture, pool.proof, entries[0]!) } : {
        method: 'GET',
        path: PATH,
        setupRequest: (req) => {
          if (next >= entries.length) {
            // Never replay a proof: send none (the server refuses, the run is flagged) and stop.
            if (!exhausted) setImmediate(() => instance.stop())
            exhausted = true
            req.headers = {}
            return req
          }
          req.headers = headersOf(fixture, pool.proof, entries[next++]!)
          return req
        },
      }],
    }, (err, result) => {
      if (err !== null) reject(err)
      else resolve({ result, used: next - options.start, exhausted })
    })
  })
}

/**
 * Before timing a verifying server, check that it verifies: the first pool entry is accepted, the
 * same request replayed is refused. Uses one entry; returns the index of the next.
 */
export async function checkVerifies(port: number, fixture: Fixture, pool: ProofPool): Promise<number> {
  const send = () => fetch(`http://127.0.0.1:${port}${PATH}`, { headers: headersOf(fixture, pool.proof, pool.entries[0]!) })
  const first = await send()
  await first.arrayBuffer()
  const again = await send()
  await again.arrayBuffer()
  if (first.status !== 200 || again.status < 400) {
    throw new Error(`the server does not verify as expected: fresh proof → ${first.status}, replayed proof → ${again.status}`)
  }
  return 1
}
