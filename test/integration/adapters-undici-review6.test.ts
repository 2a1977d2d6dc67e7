// Review 6: a caller-set credential field (Txn-Token) of a request to an allow-listed origin never
// follows a redirect to an origin nobody allow-listed, whoever follows it: undici.fetch's own
// redirect loop, or interceptors.redirect behind an interceptor that hides its inner handler.
import { createServer, type IncomingMessage } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, fetch as undiciFetch, interceptors, request } from 'undici'
import { workloadAuthInterceptor } from '../../src/adapters/undici/index.js'
import { listen, type StartedServer } from '../helpers/adapters-suite.js'

let api: StartedServer
let foreign: StartedServer
const apiSeen: Array<IncomingMessage['headers']> = []
const foreignSeen: Array<{ url: string | undefined; headers: IncomingMessage['headers'] }> = []
const credentials = { authorize: async () => new Headers({ 'workload-identity-token': 'wit', 'workload-proof-token': 'wpt' }) }

beforeAll(async () => {
  api = await listen(createServer((req, res) => {
    apiSeen.push(req.headers)
    if (req.url === '/hop') res.writeHead(302, { location: `${foreign.base}/landing?x=1` }).end()
    else if (req.url === '/self') res.writeHead(307, { location: '/echo' }).end()
    else res.end('api')
  }))
  foreign = await listen(createServer((req, res) => {
    foreignSeen.push({ url: req.url, headers: req.headers })
    res.end('landed')
  }))
})

afterAll(async () => {
  await api?.close()
  await foreign?.close()
})

describe('workloadAuthInterceptor: credential fields and redirects it does not follow itself', () => {
  it('undici.fetch following a redirect to another origin does not carry the Txn-Token there', async () => {
    const dispatcher = new Agent().compose(workloadAuthInterceptor(credentials, { origins: api.base }))
    foreignSeen.length = 0
    apiSeen.length = 0
    const res = await undiciFetch(`${api.base}/hop`, { dispatcher, headers: { 'txn-token': 'txn-minted-for-the-api' } })
    expect(await res.text()).toBe('landed')
    expect(apiSeen[0]?.['txn-token']).toBe('txn-minted-for-the-api')
    expect(foreignSeen.map((s) => [s.url, s.headers['txn-token'], s.headers['workload-proof-token']])).toEqual([['/landing?x=1', undefined, undefined]])
    // A same-origin hop keeps it; a request the caller sends to the other origin itself is untouched.
    const self = await undiciFetch(`${api.base}/self`, { dispatcher, headers: { 'txn-token': 'txn-minted-for-the-api' } })
    expect(await self.text()).toBe('api')
    expect(apiSeen.slice(1).map((h) => h['txn-token'])).toEqual(['txn-minted-for-the-api', 'txn-minted-for-the-api'])
    const direct = await undiciFetch(`${foreign.base}/direct`, { dispatcher, headers: { 'txn-token': 'txn-minted-for-the-api' } })
    await direct.text()
    expect(foreignSeen[1]?.headers['txn-token']).toBe('txn-minted-for-the-api')
    await dispatcher.close()
  })

  for (const name of ['decompress', 'dump', 'responseError'] as const) {
    it(`interceptors.redirect behind interceptors.${name} does not carry the Txn-Token to another origin`, async () => {
      const between = interceptors[name]()
      const dispatcher = new Agent().compose(workloadAuthInterceptor(credentials, { origins: api.base }), between, interceptors.redirect({ maxRedirections: 3 }))
      foreignSeen.length = 0
      apiSeen.length = 0
      const res = await request(`${api.base}/hop`, { dispatcher, headers: { 'txn-token': 'txn-minted-for-the-api' } })
      await res.body.dump()
      expect(res.statusCode).toBe(200)
      expect(apiSeen.map((h) => [h['txn-token'], h['workload-proof-token']])).toEqual([['txn-minted-for-the-api', 'wpt']])
      expect(foreignSeen.map((s) => [s.url, s.headers['txn-token']])).toEqual([['/landing?x=1', undefined]])
      await dispatcher.close()
    })
  }
})

describe('workloadAuthInterceptor options', () => {
  it('refuses a crypto option without subtle when it is created, not on the first request with a body', () => {
    for (const crypto of [{}, 'webcrypto', { subtle: null }]) {
      expect(() => workloadAuthInterceptor(credentials, { origins: 'https://api.example.com', crypto: crypto as never })).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_INVALID_ARG_(TYPE|VALUE)$/) }))
    }
    expect(typeof workloadAuthInterceptor(credentials, { origins: 'https://api.example.com', crypto: globalThis.crypto })).toBe('function')
  })
})
