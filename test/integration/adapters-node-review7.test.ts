// Review 7 (Node adapter): createNodeHandler's listener "never rejects", but with
// `errorOptions: { realm: <not a string> }` errorResponse threw on every refusal, its catch threw
// again, and the client was left waiting for an answer that never came.
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNodeHandler } from '../../src/adapters/node/index.js'
import type { ErrorResponseOptions } from '../../src/server/index.js'
import { adapterFixture, ORIGIN, type AdapterFixture } from '../helpers/adapters-fixtures.js'

let fx: AdapterFixture
let server: Server
let base: string

beforeAll(async () => {
  fx = await adapterFixture()
  const errorOptions = { realm: 443 } as unknown as ErrorResponseOptions
  server = createServer(createNodeHandler(fx.verify, () => new Response('ok'), { publicOrigin: ORIGIN, errorOptions }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

describe('createNodeHandler: unusable errorOptions', () => {
  it('still answers a refusal (no hang)', async () => {
    const res = await fetch(`${base}/x`, { signal: AbortSignal.timeout(3000) })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { code: string }).code).toBe('ERR_WIT_MISSING')
  })
})
