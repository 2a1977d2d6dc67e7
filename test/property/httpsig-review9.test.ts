// Review round 9 property: other parties' members — complete pairs or halves left in one field
// only, in any order around ours — never change the verification of our signature (RFC 9421 §3.2).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { signRequest, verifyRequestSignature } from '../../src/httpsig/index.js'

const CLOCK = () => 1_700_000_000_000
const hmacKey = new Uint8Array(32).fill(9)
const key = () => ({ key: hmacKey, algorithm: 'hmac-sha256' as const })

const foreign = fc.record({
  label: fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/).filter((l) => l !== 'ours'),
  where: fc.constantFrom('both', 'input', 'signature'),
  before: fc.boolean(),
})

describe('foreign members in Signature-Input / Signature', () => {
  it('never break, nor rescue, our signature', async () => {
    const m = { method: 'POST', url: 'https://api.example/orders?x=1', headers: { 'content-type': 'text/plain' } }
    const s = await signRequest(m, { hmacKey, label: 'ours', components: ['@method', '@target-uri', 'content-type'], clock: CLOCK })
    const ourInput = s.signatureInput
    const ourSig = s.signature
    await fc.assert(fc.asyncProperty(fc.uniqueArray(foreign, { selector: (f) => f.label, maxLength: 5 }), fc.boolean(), async (others, tamper) => {
      const inputs = [ourInput]
      const sigs = [tamper ? ourSig.replace(/=:(.)/, (_, c: string) => '=:' + (c === 'A' ? 'B' : 'A')) : ourSig]
      for (const f of others) {
        if (f.where !== 'signature') (f.before ? inputs.unshift.bind(inputs) : inputs.push.bind(inputs))(`${f.label}=("@method");created=1`)
        if (f.where !== 'input') (f.before ? sigs.unshift.bind(sigs) : sigs.push.bind(sigs))(`${f.label}=:YWJjZA==:`)
      }
      const h = { ...m, headers: { ...m.headers, 'signature-input': inputs.join(', '), signature: sigs.join(', ') } }
      const p = verifyRequestSignature(h, { algorithms: ['hmac-sha256'], key, clock: CLOCK, label: 'ours' })
      if (tamper) await expect(p).rejects.toMatchObject({ code: 'ERR_HTTPSIG_SIGNATURE' })
      else await expect(p).resolves.toMatchObject({ label: 'ours' })
    }), { numRuns: 150 })
  })
})
