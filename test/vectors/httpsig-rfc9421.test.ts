// RFC 9421 Appendix B.2: every case's signature base byte for byte, every signature verified, the
// deterministic ones (B.2.5 hmac-sha256, B.2.6 ed25519) re-signed byte for byte.
import { describe, expect, it } from 'vitest'
import {
  createSignatureBase,
  parseSignatureInput,
  signRequest,
  signResponse,
  verifyRequestSignature,
  verifyResponseSignature,
  type VerifyOptions,
} from '../../src/httpsig/index.js'
import type { JWSAlgorithm } from '../../src/signer/algorithms.js'
import { B, b2Request, b2Response, clockAt, jwkSigner, SHARED_SECRET, testKeyJwks } from '../helpers/httpsig.js'

const CREATED = 1618884473
const JOSE: Record<string, JWSAlgorithm> = { 'rsa-pss-sha512': 'PS512', 'ecdsa-p256-sha256': 'ES256', 'ed25519': 'EdDSA', 'rsa-v1_5-sha256': 'RS256' }

function verifyOptions(c: (typeof B.cases)[number]): VerifyOptions {
  const key = c.alg === 'hmac-sha256' ? SHARED_SECRET : testKeyJwks(c.keyid).publicJwk
  return {
    algorithms: [c.alg as 'ed25519'],
    key: (params) => {
      expect(params.keyid).toBe(c.keyid)
      return { key, algorithm: c.alg as 'ed25519' }
    },
    clock: clockAt(CREATED + 10),
    includeSignatureBase: true,
  }
}

function signedMessage(c: (typeof B.cases)[number]) {
  const extra: [string, string][] = [['Signature-Input', c.signature_input], ['Signature', c.signature]]
  return c.message === 'request' ? b2Request(extra) : b2Response(extra)
}

describe('RFC 9421 B.2 signature bases', () => {
  for (const c of B.cases) {
    it(`${c.id} ${c.title ?? ''}: base is reproduced byte for byte`, () => {
      const [parsed] = parseSignatureInput(c.signature_input)
      expect(parsed!.label).toBe(c.label)
      const message = c.message === 'request' ? b2Request() : b2Response()
      const base = createSignatureBase(message, parsed!.components, parsed!.params)
      expect(base).toBe(c.signature_base)
      expect(c.signature_input).toBe(`${c.label}=${parsed!.value}`)
    })
  }
})

describe('RFC 9421 B.2 signatures verify', () => {
  for (const c of B.cases) {
    it(`${c.id} (${c.alg}) verifies`, async () => {
      const message = signedMessage(c)
      const verified = c.message === 'request'
        ? await verifyRequestSignature(message as ReturnType<typeof b2Request>, verifyOptions(c))
        : await verifyResponseSignature(message as ReturnType<typeof b2Response>, verifyOptions(c))
      expect(verified.label).toBe(c.label)
      expect(verified.created).toBe(CREATED)
      expect(verified.keyid).toBe(c.keyid)
      expect(verified.signatureBase).toBe(c.signature_base)
      expect(Object.isFrozen(verified)).toBe(true)
    })
  }

  it('also verifies when the fields arrive as web Request headers', async () => {
    const c = B.cases.find((x) => x.id === 'B.2.6')!
    const request = new Request(B.test_request.url, { method: 'POST', headers: [...B.test_request.headers.filter(([n]) => n !== 'Host' && n !== 'Content-Length'), ['Content-Length', '18'], ['Signature-Input', c.signature_input], ['Signature', c.signature]], body: B.test_request.body })
    const verified = await verifyRequestSignature(request, verifyOptions(c))
    expect(verified.label).toBe('sig-b26')
  })
})

describe('RFC 9421 B.2 re-signing', () => {
  for (const c of B.cases) {
    it(`${c.id}: our signature over the same inputs has the same Signature-Input and ${c.alg === 'ed25519' || c.alg === 'hmac-sha256' ? 'the same bytes' : 'verifies'}`, async () => {
      const [parsed] = parseSignatureInput(c.signature_input)
      const common = {
        label: c.label,
        components: parsed!.components,
        created: CREATED,
        keyid: c.keyid,
        ...(parsed!.params.nonce !== undefined ? { nonce: parsed!.params.nonce } : {}),
        ...(parsed!.params.tag !== undefined ? { tag: parsed!.params.tag } : {}),
      }
      const keyOptions = c.alg === 'hmac-sha256'
        ? { hmacKey: SHARED_SECRET }
        : { signer: await jwkSigner(testKeyJwks(c.keyid).privateJwk, JOSE[c.alg]!) }
      const fields = c.message === 'request'
        ? await signRequest(b2Request(), { ...common, ...keyOptions })
        : await signResponse(b2Response(), { ...common, ...keyOptions })
      expect(fields.signatureInput).toBe(c.signature_input)
      if (c.alg === 'ed25519' || c.alg === 'hmac-sha256') expect(fields.signature).toBe(c.signature)
      else expect(fields.signature).not.toBe(c.signature)
      const message = { ...signedMessage(c), headers: [...(c.message === 'request' ? b2Request() : b2Response()).headers, ['Signature-Input', fields.signatureInput], ['Signature', fields.signature]] as [string, string][] }
      const verified = c.message === 'request'
        ? await verifyRequestSignature(message as ReturnType<typeof b2Request>, verifyOptions(c))
        : await verifyResponseSignature(message as ReturnType<typeof b2Response>, verifyOptions(c))
      expect(verified.signatureBase).toBe(c.signature_base)
    })
  }
})
