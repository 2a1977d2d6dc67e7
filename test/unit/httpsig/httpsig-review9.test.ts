// Review round 9 regressions for agentauth/httpsig.
import { describe, expect, it } from 'vitest'
import { createSignatureBase } from '../../../src/httpsig/index.js'

const msg = () => ({ method: 'GET', url: 'https://api.example/orders', headers: {} as Record<string, string> })

describe('createSignatureBase writes only parameters a verifier can parse (RFC 9421 §2.3)', () => {
  it('refuses created/expires that are not non-negative Integers and standard String parameters that are not Strings', () => {
    for (const params of [
      { created: -1 }, { expires: -5 }, { created: 1.5 }, { created: new Date(0) }, { created: '1' },
      { keyid: 1 }, { nonce: true }, { alg: 3 }, { tag: new Uint8Array(1) }, { x: new Date(0) }, { x: {} },
    ]) {
      expect(() => createSignatureBase(msg(), ['@method'], params as never), JSON.stringify(params)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_INVALID_ARG_/) }))
    }
  })
  it('still writes valid parameters', () => {
    expect(createSignatureBase(msg(), ['@method'], { created: 0, keyid: 'k', x: 1.5, y: true })).toBe('"@method": GET\n"@signature-params": ("@method");created=0;keyid="k";x=1.5;y')
  })
})

describe('a covered structured field with more than 1,024 members (documented @throws)', () => {
  it('is ERR_INPUT_TOO_LARGE from createSignatureBase; 1,024 members are fine', () => {
    const list = (n: number) => ({ method: 'GET', url: 'https://a.example/', headers: { 'x-list': Array.from({ length: n }, (_, i) => 'a' + i).join(', ') } })
    const options = { structuredFields: { 'x-list': 'list' as const } }
    expect(createSignatureBase(list(1024), ['"x-list";sf'], {}, options)).toContain('a1023')
    expect(() => createSignatureBase(list(1025), ['"x-list";sf'], {}, options)).toThrow(expect.objectContaining({ code: 'ERR_INPUT_TOO_LARGE' }))
  })
})
