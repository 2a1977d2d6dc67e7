// agentauth/adapters/node reads a verifier from createRequestVerifier straight from the
// IncomingMessage (no fetch Request is built unless asked for). Differential test: the same raw
// bytes sent to a server on that direct path and to one that converts with toWebRequest and calls
// the verifier with the Request must get the same outcome, and the handler must see the same body.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { beforeAll, describe, expect, it } from 'vitest'
import { createNodeHandler, verifyIncomingMessage } from '../../src/adapters/node/index.js'
import { createNodeSourceReader } from '../../src/adapters/node/web-request.js'
import { matchId } from '../../src/identifier/index.js'
import { createRequestVerifier, type RequestVerifier, type VerifiedRequest } from '../../src/server/index.js'
import { adapterFixture, BODY_LIMIT, credentialed, ORIGIN, type AdapterFixture } from '../helpers/adapters-fixtures.js'
import { listen } from '../helpers/adapters-suite.js'
import { DIFFERENTIAL_OPTIONS, differentialVerifier, useDifferentialPair } from '../helpers/node-differential.js'
import { sendRaw as raw, serialiseRaw as serialise, type RawOutcome } from '../helpers/raw-http.js'

const OPTIONS = DIFFERENTIAL_OPTIONS

type Outcome = RawOutcome

describe('node adapter: direct reading matches the fetch Request path', () => {
  const pair = useDifferentialPair()
  const both = (payload: string): Promise<Outcome> => pair.both(payload)

  const cases: Array<{ name: string; expect: Partial<Outcome>; make: (fx: AdapterFixture) => Promise<string> }> = [
    { name: 'WPT GET', expect: { status: 200, body: '', method: 'GET', url: `${ORIGIN}/x?a=1` }, make: async (f) => serialise(await credentialed('wpt', f.agent, '/x?a=1')) },
    { name: 'WPT POST with a digested body', expect: { status: 200, body: '{"q":1}' }, make: async (f) => serialise(await credentialed('wpt', f.agent, '/x', { body: '{"q":1}', contentType: 'application/json' })) },
    { name: 'HTTP signature POST with a body', expect: { status: 200, body: 'hello' }, make: async (f) => serialise(await credentialed('httpsig', f.agent, '/x', { body: 'hello', contentType: 'text/plain' })) },
    // Targets the URL parser rewrites but routers match raw (verified as /a/b, routed to /c/…): refused.
    { name: 'a dot-segment path', expect: { status: 400, code: 'ERR_HEADER_INVALID' }, make: async (f) => (await serialise(await credentialed('wpt', f.agent, '/a/b'))).replace('GET /a/b ', 'GET /c/../a/b ') },
    { name: 'a %2e%2e segment', expect: { status: 400, code: 'ERR_HEADER_INVALID' }, make: async (f) => (await serialise(await credentialed('wpt', f.agent, '/a/b'))).replace('GET /a/b ', 'GET /c/%2E%2e/a/b ') },
    { name: 'a "." segment', expect: { status: 400, code: 'ERR_HEADER_INVALID' }, make: async (f) => (await serialise(await credentialed('wpt', f.agent, '/a/b'))).replace('GET /a/b ', 'GET /a/./b ') },
    { name: 'a backslash in the path', expect: { status: 400, code: 'ERR_HEADER_INVALID' }, make: async (f) => (await serialise(await credentialed('wpt', f.agent, '/a/b'))).replace('GET /a/b ', 'GET /a\\b ') },
    { name: 'an absolute-form target with a dot segment', expect: { status: 400, code: 'ERR_HEADER_INVALID' }, make: async (f) => (await serialise(await credentialed('wpt', f.agent, '/a/b'))).replace('GET /a/b ', 'GET http://api.example.com/c/../a/b ') },
    { name: 'dots inside a segment and in the query (not dot segments)', expect: { status: 200, url: `${ORIGIN}/a/..b/.c?x=/../y` }, make: async (f) => serialise(await credentialed('wpt', f.agent, '/a/..b/.c?x=/../y')) },
    { name: 'a GET carrying a body', expect: { status: 400, code: 'ERR_HEADER_INVALID' }, make: async (f) => serialise(await credentialed('wpt', f.agent, '/x'), undefined, '{"amount":1000000}') },
    {
      name: 'a declared body over the limit with a broken signature (413 first)', expect: { status: 413, code: 'ERR_BODY_TOO_LARGE' },
      make: async (f) => (await serialise(await credentialed('httpsig', f.agent, '/x', { body: 'a', contentType: 'text/plain' }), undefined, 'a'.repeat(BODY_LIMIT + 1))).replace('POST /x ', 'POST /y '),
    },
    { name: 'a tampered body', expect: { status: 400 }, make: async (f) => serialise(await credentialed('wpt', f.agent, '/x', { body: '{"q":1}', contentType: 'application/json' }), undefined, '{"q":2}') },
    { name: 'a tampered signed body', expect: { status: 400 }, make: async (f) => serialise(await credentialed('httpsig', f.agent, '/x', { body: 'hello', contentType: 'text/plain' }), undefined, 'HELLO') },
    { name: 'a body over the limit', expect: { status: 413, code: 'ERR_BODY_TOO_LARGE' }, make: async (f) => serialise(await credentialed('wpt', f.agent, '/x', { body: 'a', contentType: 'text/plain' }), undefined, 'a'.repeat(BODY_LIMIT + 1)) },
    {
      name: 'the WIT sent twice (repeated field lines are combined)', expect: { status: 400, code: 'ERR_WIT_MISSING' },
      make: async (f) => serialise(await credentialed('wpt', f.agent, '/x'), (l) => [...l, ...l.filter(([k]) => k === 'workload-identity-token')]),
    },
    {
      name: 'Signature-Input sent twice', expect: { status: 400 },
      make: async (f) => serialise(await credentialed('httpsig', f.agent, '/x'), (l) => [...l, ...l.filter(([k]) => k === 'signature-input')]),
    },
    {
      name: 'mixed-case names and padded values', expect: { status: 200 },
      make: async (f) => serialise(await credentialed('wpt', f.agent, '/x'), (l) => l.map(([k, v]) => [k.toUpperCase(), ` ${v}\t`])),
    },
    { name: 'no credentials', expect: { status: 400, code: 'ERR_WIT_MISSING' }, make: async () => 'GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' },
    {
      name: 'a header section over policy.limits.headerBytes', expect: { status: 400, code: 'ERR_INPUT_TOO_LARGE' },
      make: async (f) => serialise(await credentialed('wpt', f.agent, '/x'), (l) => [...l, ['x-junk', 'j'.repeat(9000)]]),
    },
    {
      name: 'repeated Set-Cookie lines count like Headers iteration', expect: { status: 400, code: 'ERR_INPUT_TOO_LARGE' },
      make: async (f) => serialise(await credentialed('wpt', f.agent, '/x'), (l) => [...l, ...Array.from({ length: 500 }, () => ['Set-Cookie', 'a=b'] as [string, string])]),
    },
  ]
  for (const c of cases) {
    it(`${c.name}: same outcome`, async () => {
      const outcome = await both(await c.make(pair.fx))
      expect(outcome).toMatchObject(c.expect)
      if (c.expect.status === 200) expect(outcome.id).toBe(pair.fx.agent.id)
    })
  }
})

describe('node adapter: what the direct path builds', () => {
  let fx: AdapterFixture
  beforeAll(async () => { fx = await adapterFixture() })

  async function serve(listener: (req: IncomingMessage, res: ServerResponse) => Promise<void>, run: (base: string) => Promise<void>): Promise<void> {
    const s = await listen(createServer((req, res) => void listener(req, res)))
    try {
      await run(s.base)
    } finally {
      await s.close()
    }
  }

  it('builds the fetch Request only when asked for, once', async () => {
    const verify = differentialVerifier(fx)
    const seen: unknown[] = []
    await serve(async (req, res) => {
      const result = await verifyIncomingMessage(req, verify, OPTIONS)
      const descriptor = Object.getOwnPropertyDescriptor(result, 'request') ?? Object.getOwnPropertyDescriptor(Object.getPrototypeOf(result), 'request')
      seen.push(typeof descriptor?.get, Object.isFrozen(result), result.request === result.request, result.request.url)
      res.end()
    }, async (base) => {
      const req = await credentialed('wpt', fx.agent, '/lazy?x=1')
      expect((await fetch(base + '/lazy?x=1', { headers: req.headers })).status).toBe(200)
    })
    expect(seen).toEqual(['function', true, true, `${ORIGIN}/lazy?x=1`])
  })

  it('combines repeated Cookie lines as fetch Headers does ("; "), other fields with ", "', async () => {
    const read = createNodeSourceReader(OPTIONS)
    const seen: unknown[] = []
    await serve(async (req, res) => {
      const source = read(req)
      const request = source.toRequest()
      seen.push(source.get('cookie'), request.headers.get('cookie'), source.get('x-list'), request.headers.get('x-list'))
      res.end()
    }, async (base) => {
      await raw(base, 'GET /c HTTP/1.1\r\nHost: a\r\nCookie: a=1\r\nCookie: b=2\r\nX-List: 1\r\nX-List: 2\r\nConnection: close\r\n\r\n')
    })
    expect(seen).toEqual(['a=1; b=2', 'a=1; b=2', '1, 2', '1, 2'])
  })

  it('hands a verifier that is not from createRequestVerifier a fetch Request', async () => {
    const received: unknown[] = []
    const custom = (async (request: Request) => {
      received.push(request instanceof Request, request.url, request.headers.get('x-a'))
      return Object.freeze({ workload: { id: 'spiffe://example.org/custom' } }) as unknown as VerifiedRequest
    }) as RequestVerifier
    await serve(async (req, res) => {
      const { verified } = await verifyIncomingMessage(req, custom, OPTIONS)
      res.end(verified.workload.id)
    }, async (base) => {
      expect(await (await fetch(base + '/c', { headers: { 'x-a': '1' } })).text()).toBe('spiffe://example.org/custom')
    })
    expect(received).toEqual([true, `${ORIGIN}/c`, '1'])
  })

  it('lets the handler stream a body the verifier did not need', async () => {
    const verify = createRequestVerifier({ trustBundles: fx.td.trustBundles, origin: ORIGIN, proof: 'wpt', authorize: matchId(fx.agent.id) })
    const handler = createNodeHandler(verify, async (request) => new Response(String((await request.arrayBuffer()).byteLength)), OPTIONS)
    await serve(handler, async (base) => {
      const req = await credentialed('wpt', fx.agent, '/u', { method: 'PUT' })
      expect(await (await fetch(base + '/u', { method: 'PUT', headers: req.headers, body: 'x'.repeat(5000) })).text()).toBe('5000')
    })
  })

  it('sends a one-chunk response with Content-Length and keeps a slow stream flowing chunk by chunk', async () => {
    const verify = differentialVerifier(fx)
    let release!: () => void
    const held = new Promise<void>((resolve) => { release = resolve })
    const handler = createNodeHandler(verify, async (request) => {
      if (new URL(request.url).pathname === '/one') return Response.json({ ok: true })
      const enc = new TextEncoder()
      return new Response(new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(enc.encode('first;'))
          await held
          controller.enqueue(enc.encode('second'))
          controller.close()
        },
      }))
    }, OPTIONS)
    await serve(handler, async (base) => {
      const one = await fetch(base + '/one', { headers: (await credentialed('wpt', fx.agent, '/one')).headers })
      expect(one.headers.get('content-length')).toBe('11')
      expect(one.headers.get('transfer-encoding')).toBeNull()
      expect(await one.json()).toEqual({ ok: true })

      const slow = await fetch(base + '/slow', { headers: (await credentialed('wpt', fx.agent, '/slow')).headers })
      expect(slow.headers.get('transfer-encoding')).toBe('chunked')
      const reader = slow.body!.getReader()
      const first = await reader.read() // arrives while the second chunk is still held back
      expect(new TextDecoder().decode(first.value)).toBe('first;')
      release()
      let rest = ''
      for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value)
      expect(rest).toBe('second')
    })
  })
})
