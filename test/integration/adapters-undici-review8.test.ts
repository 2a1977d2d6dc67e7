// Review 8: the remembered redirect targets keep a bounded number of credential values each, and
// malformed dispatch options are refused with coded errors.
// undici sends a dispatch path as is, but the proof names the path the URL parser makes
// of it. A backslash is a `/` to the URL parser (http and https), so `\..\` resolved like a dot
// segment in the proof while the server got the raw path: the proof named another path than the
// one sent, which the dot-segment refusal is there to prevent.
import { createServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from 'undici'
import { workloadAuthInterceptor } from '../../src/adapters/undici/index.js'
import type { OutboundRequest } from '../../src/fetch/index.js'
import { listen, type StartedServer } from '../helpers/adapters-suite.js'

let api: StartedServer
const seen: Array<string | undefined> = []

beforeAll(async () => {
  api = await listen(createServer((req, res) => {
    seen.push(req.url)
    res.end('api')
  }))
})

afterAll(() => api?.close())

describe('workloadAuthInterceptor: the proof names the path undici sends', () => {
  it('refuses a backslash in the dispatch path (the URL parser reads it as /)', async () => {
    const asked: string[] = []
    const credentials = { authorize: async (r: OutboundRequest) => (asked.push(new URL(r.url).pathname), new Headers({ 'workload-proof-token': 'wpt' })) }
    const dispatcher = new Agent().compose(workloadAuthInterceptor(credentials, { origins: api.base }))
    try {
      for (const path of ['/admin\\..\\v1/x', '/v1\\x', '/v1/..\\admin']) {
        const outcome = await dispatcher.request({ origin: api.base, path, method: 'GET' }).then(
          async (res) => (await res.body.dump(), `sent ${seen.at(-1)} signed ${asked.at(-1)}`),
          (err: unknown) => (err as { code?: string }).code,
        )
        expect([path, outcome]).toEqual([path, 'ERR_INVALID_ARG_VALUE'])
      }
      // A backslash in the query is the query's business (the URL parser keeps it).
      const ok = await dispatcher.request({ origin: api.base, path: '/v1/x?q=a\\b', method: 'GET' })
      await ok.body.dump()
      expect(seen.at(-1)).toBe('/v1/x?q=a\\b')
    } finally {
      await dispatcher.close()
    }
  })
})

describe('workloadAuthInterceptor: remembered redirect targets stay bounded', () => {
  it('keeps a bounded number of credential values per redirect target (one target, a new Txn-Token per request)', async () => {
    const { createRedirectWatch } = await import('../../src/adapters/undici/redirect-watch.js')
    const watch = createRedirectWatch((origin) => origin === 'https://api.example.com')
    const foreignTarget = 'https://elsewhere.example.net/landing'
    for (let i = 0; i < 5000; i++) {
      const handler = watch.wrap({ onResponseStart: () => undefined } as never, 'https://api.example.com/hop', [`txn-${i}`])
      handler.onResponseStart?.({} as never, 302, { location: foreignTarget }, 'Found')
    }
    // The latest values are still recognised; the first of 5000 is no longer held.
    expect(watch.isTarget(foreignTarget, ['txn-4999'])).toBe(true)
    expect(watch.isTarget(foreignTarget, ['txn-0'])).toBe(false)
  })
})

describe('workloadAuthInterceptor: malformed dispatch options', () => {
  it('refuses a missing or non-string path and an unprintable query value with a coded TypeError (it threw an uncoded one)', async () => {
    const credentials = { authorize: async () => new Headers({ 'workload-proof-token': 'wpt' }) }
    const dispatcher = new Agent().compose(workloadAuthInterceptor(credentials, { origins: api.base }))
    try {
      for (const opts of [{ method: 'GET' }, { method: 'GET', path: 5 }, { method: 'GET', path: '/x', query: { a: { toString: null } } }, { method: 'GET', path: '/x', query: 'a=b' }]) {
        const outcome = await dispatcher.request({ origin: api.base, ...opts } as never).then(
          async (res) => (await res.body.dump(), 'sent'),
          (err: unknown) => (err as { code?: string }).code,
        )
        expect([opts, outcome]).toEqual([opts, expect.stringMatching(/^ERR_INVALID_ARG_(TYPE|VALUE)$/)])
      }
    } finally {
      await dispatcher.close()
    }
  })
})

describe('workloadAuthInterceptor: malformed headers', () => {
  it('refuses an unprintable header value or a header pair that is not one with a coded TypeError', async () => {
    const credentials = { authorize: async () => new Headers({ 'workload-proof-token': 'wpt' }) }
    const dispatcher = new Agent().compose(workloadAuthInterceptor(credentials, { origins: api.base }))
    const unprintable = { toString: null }
    try {
      for (const headers of [{ a: unprintable }, [['a', unprintable]], { a: [unprintable] }, new Set([null]), new Set([5])]) {
        const outcome = await dispatcher.request({ origin: api.base, path: '/x', method: 'GET', headers } as never).then(
          async (res) => (await res.body.dump(), 'sent'),
          (err: unknown) => (err as { code?: string }).code,
        )
        expect(outcome).toMatch(/^ERR_INVALID_ARG_(TYPE|VALUE)$/)
      }
    } finally {
      await dispatcher.close()
    }
  })
})
