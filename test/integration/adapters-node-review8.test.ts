// Review 8 (Node adapter reader): "Content-Length: 00" is a length of zero (RFC 9110 §8.6,
// 1*DIGIT), as "0" is. The reader counted it as a declared body: a GET carrying it was refused
// (ERR_HEADER_INVALID, "a GET request cannot carry a body") and a body-less POST needed a
// Content-Digest (ERR_DIGEST_MISSING) that the same POST with "Content-Length: 0" did not.
// Differential: the direct reader and toWebRequest must agree on the same bytes.
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adapterFixture, credentialed, type AdapterFixture } from '../helpers/adapters-fixtures.js'
import { startDifferentialPair, useDifferentialPair } from '../helpers/node-differential.js'
import { serialiseRaw as serialise } from '../helpers/raw-http.js'

/** Sends headers, waits for the interim 100 (Continue), then sends the body; resolves with the final JSON. */
function sendExpectingContinue(base: string, head: string, body: string): Promise<{ interim: boolean; outcome: unknown }> {
  const { port } = new URL(base)
  return new Promise((resolve, reject) => {
    let out = ''
    let sentBody = false
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(head))
    socket.on('data', (d) => {
      out += d.toString('latin1')
      if (!sentBody && out.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
        sentBody = true
        socket.write(body)
      }
    })
    socket.on('end', () => {
      const interim = out.startsWith('HTTP/1.1 100 Continue\r\n\r\n')
      const final = interim ? out.slice('HTTP/1.1 100 Continue\r\n\r\n'.length) : out
      const at = final.indexOf('\r\n\r\n')
      let payload = final.slice(at + 4)
      if (/transfer-encoding: chunked/i.test(final.slice(0, at))) payload = payload.replace(/^[0-9a-f]+\r\n/, '').replace(/\r\n0\r\n\r\n$/, '')
      try {
        resolve({ interim, outcome: JSON.parse(payload) })
      } catch {
        resolve({ interim, outcome: { status: Number(final.slice(9, 12)) } })
      }
    })
    socket.on('error', reject)
  })
}

describe('node adapter: Content-Length with leading zeros', () => {
  const pair = useDifferentialPair()

  it('a GET with "Content-Length: 00" has no body and is verified (both paths)', async () => {
    const out = await pair.both(await serialise(await credentialed('wpt', pair.fx.agent, '/x'), (l) => [...l, ['Content-Length', '00']]))
    expect(out).toMatchObject({ status: 200, id: pair.fx.agent.id, body: '' })
  })

  it('a POST with "Content-Length: 000" and no body needs no Content-Digest, like "Content-Length: 0"', async () => {
    for (const length of ['0', '000']) {
      const out = await pair.both(await serialise(await credentialed('wpt', pair.fx.agent, '/x', { method: 'POST' }), (l) => [...l, ['Content-Length', length]]))
      expect(out).toMatchObject({ status: 200, id: pair.fx.agent.id, body: '', method: 'POST' })
    }
  })

  it('"Content-Length: 01" still declares a body (a GET carrying it is refused)', async () => {
    const raw = (await serialise(await credentialed('wpt', pair.fx.agent, '/x'), (l) => [...l, ['Content-Length', '01']])) + 'a'
    expect(await pair.both(raw)).toMatchObject({ status: 400, code: 'ERR_HEADER_INVALID' })
  })
})

describe('node adapter: Expect: 100-continue', () => {
  let fx: AdapterFixture
  let servers: Awaited<ReturnType<typeof startDifferentialPair>>
  beforeAll(async () => {
    fx = await adapterFixture()
    servers = await startDifferentialPair(fx)
  })
  afterAll(async () => {
    await servers.direct.close()
    await servers.converted.close()
  })

  it('a signed body sent after the interim 100 is verified against its digest; a tampered one is refused', async () => {
    for (const { base } of [servers.direct, servers.converted]) {
      const req = await credentialed('httpsig', fx.agent, '/x', { body: 'hello', contentType: 'text/plain' })
      const raw = await serialise(req, (l) => [...l, ['Expect', '100-continue']])
      const at = raw.indexOf('\r\n\r\n') + 4
      const ok = await sendExpectingContinue(base, raw.slice(0, at), raw.slice(at))
      expect(ok).toMatchObject({ interim: true, outcome: { status: 200, body: 'hello' } })
      const req2 = await credentialed('httpsig', fx.agent, '/x', { body: 'hello', contentType: 'text/plain' })
      const raw2 = await serialise(req2, (l) => [...l, ['Expect', '100-continue']])
      const at2 = raw2.indexOf('\r\n\r\n') + 4
      const bad = await sendExpectingContinue(base, raw2.slice(0, at2), 'HELLO')
      expect(bad.outcome).toMatchObject({ status: 400 })
    }
  })
})
