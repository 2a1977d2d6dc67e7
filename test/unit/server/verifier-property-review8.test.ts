// Review 8: property test of the inbound verifier on hostile input. Random and mutated header
// values (WIT, WPT, Signature-Input, Signature, Content-Digest, Authorization, Txn-Token,
// X-Forwarded-*), targets and bodies must end in a refusal with a stable `code`, never an uncoded
// TypeError/RangeError/SyntaxError, and never a pass for a mutated credential.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { matchAny } from '../../../src/identifier/index.js'
import { createRequestVerifier, type RequestVerifier } from '../../../src/server/index.js'
import { signedRequest, trustDomain, wptRequest, type Workload } from '../../helpers/server-fixtures.js'

const ORIGIN = 'https://api.example.com'
let verify: RequestVerifier
let agent: Workload
let wptBase: Request
let sigBase: Request

beforeAll(async () => {
  const td = await trustDomain('example.org')
  agent = await td.workload('/agents/a')
  verify = createRequestVerifier({
    trustBundles: td.trustBundles, origin: [ORIGIN, 'https://alt.example.com'], proof: 'either', authorize: matchAny(), trustProxy: true,
    accessToken: { mode: 'optional', issuer: 'https://as.example.com', audience: ORIGIN, keys: { keys: [] } },
  })
  wptBase = await wptRequest(agent, `${ORIGIN}/x?q=1`)
  sigBase = await signedRequest(agent, `${ORIGIN}/x?q=1`, { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } })
})

const FIELDS = ['workload-identity-token', 'workload-proof-token', 'signature-input', 'signature', 'content-digest', 'authorization', 'txn-token', 'x-forwarded-host', 'x-forwarded-proto', 'content-type'] as const

/**
 * `value` with `cut` characters removed at `at` and `insert` put there; undefined for the edits
 * that keep the meaning (removing only base64 "=" padding or spaces, which Structured Field
 * parsers accept, RFC 8941 §4.2.7 and inner-list spacing).
 */
function mutate(value: string, at: number, insert: string, cut: number): string | undefined {
  const i = value.length === 0 ? 0 : at % (value.length + 1)
  if (insert === '' && /^[= ]*$/.test(value.slice(i, i + cut))) return undefined
  return value.slice(0, i) + insert + value.slice(i + cut)
}

const headerText = fc.oneof(fc.string({ maxLength: 200 }), fc.stringMatching(/^[\x21-\x7e ]{0,200}$/))
  .map((s) => s.replace(/[\0\r\n]/g, '').trim())
  .filter((s) => { try { new Headers({ a: s }); return true } catch { return false } })

async function outcome(request: Request): Promise<unknown> {
  return verify(request).then(() => 'passed', (err: unknown) => err)
}

function expectCoded(err: unknown): void {
  expect(err).not.toBe('passed')
  expect(typeof (err as { code?: unknown }).code).toBe('string')
}

describe('createRequestVerifier on hostile input', () => {
  it('mutated credential fields are refused with a coded error', async () => {
    await fc.assert(fc.asyncProperty(
      fc.boolean(), fc.constantFrom(...FIELDS), fc.nat(4000), fc.stringMatching(/^[\x21-\x3c\x3e-\x7e]{0,4}$/), fc.integer({ min: 0, max: 3 }),
      async (sig, field, at, insert, cut) => {
        const base = sig ? sigBase : wptBase
        const headers = new Headers(base.headers)
        const value = mutate(headers.get(field) ?? '', at, insert, cut)?.trim()
        if (value === undefined || value === (headers.get(field) ?? '')) return
        try { headers.set(field, value) } catch { return }
        const init: RequestInit = { method: base.method, headers, ...(sig ? { body: 'hello' } : {}) }
        const err = await outcome(new Request(base.url, init))
        // A mutation of a field no proof covers (content-type with WPT, X-Forwarded-*) may pass.
        // With a signature as the proof, a WPT field is not read at all.
        if (err === 'passed' && (field.startsWith('x-forwarded') || (sig && field === 'workload-proof-token') || (!sig && (field === 'content-type' || field === 'content-digest' || field === 'authorization' || field === 'signature' || field === 'signature-input' || field === 'txn-token')))) return
        if (err === 'passed' && field === 'authorization' && sig) throw new Error('a mutated Authorization passed a signature covering none')
        expectCoded(err)
      },
    ), { numRuns: 150 })
  })

  it('random field values and targets are refused with a coded error', async () => {
    await fc.assert(fc.asyncProperty(
      fc.dictionary(fc.constantFrom(...FIELDS), headerText, { maxKeys: 6 }),
      fc.stringMatching(/^\/[\x21-\x7e]{0,40}$/),
      async (fields, path) => {
        let request: Request
        try { request = new Request(ORIGIN + path, { headers: fields }) } catch { return }
        expectCoded(await outcome(request))
      },
    ), { numRuns: 200 })
  })
})
