// Review round 8 property test for agentauth/wimse-httpsig: one edit anywhere in the signature
// fields of a valid WIMSE request gives the verified result unchanged or a coded error, never an
// uncoded throw, and a verified result always carries the signed parameters.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isAgentAuthError } from '../../src/errors/index.js'
import { signWIMSERequest, verifyWIMSERequest } from '../../src/wimse-httpsig/index.js'
import { at, makeWorkload } from '../helpers/wpt.js'

const NOW = 1_800_000_000
const ORIGIN = 'https://svcb.example.com'
const CHARS = [...'abAZ09 \t,;=:()"\\?*@%/-._\u00e9', ':YQ:', '?1', 'wimse=', ';tag="x"', ';keyid="k"']
const coded = (err: unknown): boolean => isAgentAuthError(err) || (err instanceof TypeError && typeof (err as { code?: unknown }).code === 'string')

describe('WIMSE verification of mutated signature fields', () => {
  it('verified as signed, or a coded error', async () => {
    const w = await makeWorkload({ now: NOW, sub: 'wimse://example.com/svcA' })
    const base = { method: 'POST', url: `${ORIGIN}/orders?id=1`, headers: { 'content-type': 'application/json' } as Record<string, string>, body: '{"n":1}' }
    const out = await signWIMSERequest(base, { wit: w.wit, signer: w.signer, clock: at(NOW), nonce: 'n-1' })
    const headers = { ...base.headers, ...out.headers, 'Signature-Input': out.signatureInput + ', proxy=("@method");created=1', Signature: out.signature + ', proxy=:YWI:' }
    const verify = (h: Record<string, string>) => verifyWIMSERequest({ ...base, headers: h }, { wit: w.verified, audience: ORIGIN, clock: at(NOW) })
    await expect(verify(headers)).resolves.toMatchObject({ label: 'wimse', nonce: 'n-1' })
    await fc.assert(fc.asyncProperty(
      fc.boolean(), fc.nat(), fc.nat(3), fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 3 }),
      async (inInput, pos, del, insert) => {
        const name = inInput ? 'Signature-Input' : 'Signature'
        const value = headers[name]!
        const i = pos % (value.length + 1)
        try {
          const v = await verify({ ...headers, [name]: value.slice(0, i) + insert + value.slice(i + del) })
          expect(v).toMatchObject({ label: 'wimse', nonce: 'n-1', created: NOW })
        } catch (err) {
          if (!coded(err)) throw err
        }
      },
    ), { numRuns: 400 })
  })
})
