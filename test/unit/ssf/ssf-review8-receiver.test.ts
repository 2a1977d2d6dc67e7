// Review round 8: receiver-side probes (subject matching, SET verification).
import { describe, expect, it } from 'vitest'
import { createMemoryDedupeCache, createPollReceiver, EVENT_TYPE_URIS, matchSubjectId, revocationsFromEvent, verifySET, type SubjectId } from '../../../src/ssf/index.js'
import { NOW, baseClaims, clockAt, mintSET, testKey, verifyOptions } from '../../helpers/ssf.js'

const EMAIL = { format: 'email', email: 'a@example.com' } as const

describe('matchSubjectId with a malformed identifier', () => {
  const malformed: unknown[] = [
    null, undefined, { format: 'email' }, { format: 'aliases' }, { format: 'ip-addresses' },
    { format: 'complex', user: null },
  ]
  const subjects: unknown[] = [EMAIL, { format: 'complex', user: EMAIL }, { format: 'ip-addresses', 'ip-addresses': ['10.0.0.1'] }]

  it('throws a coded TypeError (never an uncoded one) on either side', () => {
    for (const bad of malformed) {
      for (const good of subjects) {
        for (const [p, s] of [[bad, good], [good, bad]]) {
          try {
            matchSubjectId(p as SubjectId, s as SubjectId)
          } catch (e) {
            expect(e).toBeInstanceOf(TypeError)
            expect((e as { code?: string }).code).toBe('ERR_INVALID_ARG_VALUE')
          }
        }
      }
    }
    expect(() => matchSubjectId(null as never, EMAIL)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => matchSubjectId({ format: 'email' } as never, EMAIL)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })

  it('aliases nested until the stack ends: a coded TypeError, not a RangeError', () => {
    let deep: unknown = EMAIL
    for (let i = 0; i < 20_000; i++) deep = { format: 'aliases', identifiers: [deep] }
    expect(() => matchSubjectId(deep as SubjectId, EMAIL)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
  })

  it('an address that is none matches no other address that is none', () => {
    const a = { format: 'ip-addresses', 'ip-addresses': ['not-an-ip'] } as const
    const b = { format: 'ip-addresses', 'ip-addresses': ['also-not'] } as const
    expect(matchSubjectId(a, b)).toBe(false)
    expect(matchSubjectId({ format: 'ip-addresses', 'ip-addresses': ['10.0.0.1'] }, { format: 'ip-addresses', 'ip-addresses': ['10.000.0.1', 'x'] })).toBe(true)
  })
})

describe('an RFC 8417 SET naming its subject with the top-level sub only', () => {
  it('revokes that subject (as iss_sub), not nothing', async () => {
    const key = await testKey()
    const token = await mintSET(key.signer, baseClaims({ sub: 'user-248289761001', sub_id: undefined, events: { [EVENT_TYPE_URIS['account-disabled']]: {} } }))
    const set = await verifySET(token, verifyOptions(key, { profile: 'rfc8417' }))
    expect(set.subject).toBeUndefined()
    const entries = revocationsFromEvent(set, { clock: clockAt(NOW + 5) })
    expect(entries.map((e) => e.sub)).toEqual(['user-248289761001'])
    // sub_id, when present, stays the subject.
    const both = await verifySET(await mintSET(key.signer, baseClaims({ sub: 'other', events: { [EVENT_TYPE_URIS['account-disabled']]: {} } })), verifyOptions(key, { profile: 'rfc8417' }))
    expect(revocationsFromEvent(both, { clock: clockAt(NOW + 5) }).map((e) => e.sub)).toEqual(['spiffe://example.org/agent/7'])
    // A sub longer than a revocation store keeps is no key: the SET applies (with nothing) instead
    // of failing on every delivery.
    const huge = await verifySET(await mintSET(key.signer, baseClaims({ sub: 'x'.repeat(5000), sub_id: undefined, events: { [EVENT_TYPE_URIS['account-disabled']]: {} } })), verifyOptions(key, { profile: 'rfc8417' }))
    expect(revocationsFromEvent(huge, { clock: clockAt(NOW + 5) })).toEqual([])
  })
})

describe('poll receiver stop() during a round of slow handlers', () => {
  it('does not wait for the rest of the round: the SETs not started stay unacknowledged', async () => {
    const key = await testKey()
    const tokens = await Promise.all([1, 2, 3, 4].map((i) => mintSET(key.signer, baseClaims({ jti: `j${i}` }))))
    let polls = 0
    const bodies: unknown[] = []
    let started!: () => void
    const first = new Promise<void>((r) => { started = r })
    const handled: string[] = []
    const rx = createPollReceiver({
      endpoint: 'https://tx.example.com/ssf/poll/1',
      verify: verifyOptions(key),
      replayCache: createMemoryDedupeCache(),
      leaseSeconds: 1,
      onEvent: (set) => { handled.push(set.jti); started(); return new Promise<void>(() => {}) },
      onError: () => {},
      fetch: async (_u, init) => {
        bodies.push(JSON.parse(String(init?.body)))
        const sets = polls++ === 0 ? Object.fromEntries(tokens.map((t, i) => [`j${i + 1}`, t])) : {}
        return new Response(JSON.stringify({ sets }), { status: 200 })
      },
      sleep: async (_ms, signal) => { await new Promise<void>((r) => { if (signal.aborted) r(); else signal.addEventListener('abort', () => r(), { once: true }) }) },
    })
    rx.start()
    await first
    const t0 = Date.now()
    await rx.stop()
    expect(Date.now() - t0).toBeLessThan(1800)
    expect(handled).toEqual(['j1'])
  }, 10_000)
})

describe('nbf (RFC 7519 §4.1.5), differential against jose', () => {
  it('a SET not valid before a future nbf is refused, as jose refuses it; a past nbf passes in both', async () => {
    const { importJWK, jwtVerify } = await import('jose')
    type JWK = Parameters<typeof importJWK>[0]
    const key = await testKey()
    const joseKey = await importJWK(JSON.parse(JSON.stringify(key.jwk)) as JWK, 'ES256')
    const options = verifyOptions(key, { profile: 'rfc8417' })
    const at = new Date((NOW + 5) * 1000)
    for (const [nbf, ok] of [[NOW + 3600, false], [NOW - 10, true], [NOW + 30, true]] as const) {
      const token = await mintSET(key.signer, baseClaims({ nbf }))
      const joseOk = await jwtVerify(token, joseKey, { issuer: options.issuer, audience: options.audience, typ: 'secevent+jwt', clockTolerance: 60, currentDate: at }).then(() => true, () => false)
      const ours = await verifySET(token, options).then(() => true, (e: { code?: string }) => e.code)
      expect(joseOk).toBe(ok)
      expect(ours).toBe(ok ? true : 'ERR_TOKEN_NOT_YET_VALID')
      // The SSF profile too.
      expect(await verifySET(token, verifyOptions(key)).then(() => true, (e: { code?: string }) => e.code)).toBe(ok ? true : 'ERR_TOKEN_NOT_YET_VALID')
    }
    await expect(verifySET(await mintSET(key.signer, baseClaims({ nbf: 'soon' })), options)).rejects.toMatchObject({ code: 'ERR_SET_INVALID' })
  })
})
