// Interop both ways with two independent RFC 9421 implementations:
//  - http-message-signatures (dhensby; node:crypto signers/verifiers, record headers)
//  - http-message-sig (Cloudflare web-bot-auth; Request / descriptor messages, WebCrypto)
// For every algorithm: their signature verifies with ours, ours verifies with theirs. Messages
// cover every derived component both libraries implement identically, a multi-line field and a
// Dictionary member (`key`), plus a response bound to its request with `req`.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign, constants, type KeyObject } from 'node:crypto'
import { createRequire } from 'node:module'
import * as cf from 'http-message-sig'
import { describe, expect, it } from 'vitest'
import {
  createContentDigest,
  signRequest,
  signResponse,
  verifyRequestSignature,
  verifyResponseSignature,
  type HTTPSignatureAlgorithm,
} from '../../src/httpsig/index.js'
import type { JWSAlgorithm } from '../../src/signer/algorithms.js'
import type { PublicJWK, Signer } from '../../src/signer/types.js'
import { jwkSigner } from '../helpers/httpsig.js'

const require = createRequire(import.meta.url)
const dh = require('http-message-signatures') as typeof import('http-message-signatures')

type Alg = HTTPSignatureAlgorithm
const ALGS: Alg[] = ['ed25519', 'ecdsa-p256-sha256', 'ecdsa-p384-sha384', 'rsa-pss-sha512', 'rsa-v1_5-sha256', 'hmac-sha256']
const JOSE: Partial<Record<Alg, JWSAlgorithm>> = { 'ed25519': 'EdDSA', 'ecdsa-p256-sha256': 'ES256', 'ecdsa-p384-sha384': 'ES384', 'rsa-pss-sha512': 'PS512', 'rsa-v1_5-sha256': 'RS256' }
const WEBCRYPTO: Record<Alg, { sign: AlgorithmIdentifier | EcdsaParams | RsaPssParams; import: AlgorithmIdentifier | EcKeyImportParams | RsaHashedImportParams | HmacImportParams }> = {
  'ed25519': { sign: { name: 'Ed25519' }, import: { name: 'Ed25519' } },
  'ecdsa-p256-sha256': { sign: { name: 'ECDSA', hash: 'SHA-256' }, import: { name: 'ECDSA', namedCurve: 'P-256' } },
  'ecdsa-p384-sha384': { sign: { name: 'ECDSA', hash: 'SHA-384' }, import: { name: 'ECDSA', namedCurve: 'P-384' } },
  'rsa-pss-sha512': { sign: { name: 'RSA-PSS', saltLength: 64 }, import: { name: 'RSA-PSS', hash: 'SHA-512' } },
  'rsa-v1_5-sha256': { sign: { name: 'RSASSA-PKCS1-v1_5' }, import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } },
  'hmac-sha256': { sign: { name: 'HMAC' }, import: { name: 'HMAC', hash: 'SHA-256' } },
}

interface KeySet {
  alg: Alg
  nodePrivate: KeyObject | Buffer
  nodePublic: KeyObject | Buffer
  jwkPublic?: PublicJWK
  secret?: Uint8Array
  ours: { signer: Signer } | { hmacKey: Uint8Array }
  cfPrivate: CryptoKey
  cfPublic: CryptoKey
}

async function keys(alg: Alg): Promise<KeySet> {
  const w = WEBCRYPTO[alg]
  if (alg === 'hmac-sha256') {
    const secret = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff)
    const ck = await crypto.subtle.importKey('raw', secret, w.import, false, ['sign', 'verify'])
    return { alg, nodePrivate: Buffer.from(secret), nodePublic: Buffer.from(secret), secret, ours: { hmacKey: secret }, cfPrivate: ck, cfPublic: ck }
  }
  const pair = alg === 'ed25519' ? generateKeyPairSync('ed25519')
    : alg.startsWith('ecdsa') ? generateKeyPairSync('ec', { namedCurve: alg === 'ecdsa-p256-sha256' ? 'P-256' : 'P-384' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 })
  const privateJwk = pair.privateKey.export({ format: 'jwk' })
  const jwkPublic = createPublicKey(pair.privateKey).export({ format: 'jwk' }) as PublicJWK
  const cfPrivate = await crypto.subtle.importKey('jwk', privateJwk as JsonWebKey, w.import, false, ['sign'])
  const cfPublic = await crypto.subtle.importKey('jwk', jwkPublic as JsonWebKey, w.import, false, ['verify'])
  return { alg, nodePrivate: pair.privateKey, nodePublic: pair.publicKey, jwkPublic, ours: { signer: await jwkSigner(privateJwk, JOSE[alg]!) }, cfPrivate, cfPublic }
}

const BODY = '{"order":42,"items":["coffee"]}'
const URL_ = 'https://api.example.com:8443/orders/42?expand=items&currency=EUR'
const COMPONENTS = ['@method', '@target-uri', '@authority', '@scheme', '@request-target', '@path', '@query', 'content-type', 'content-digest', 'x-multi', '"example-dict";key="b"']
const CF_COMPONENTS = COMPONENTS.map((c) => (c.startsWith('"') ? cf.component('example-dict', { key: 'b' }) : c))

async function baseHeaders(): Promise<Record<string, string | string[]>> {
  return {
    'Content-Type': 'application/json',
    'Content-Digest': await createContentDigest(BODY),
    'X-Multi': ['first, value', 'second'],
    'Example-Dict': 'a=1, b=2;x=1;y=2, c=(a b c)',
  }
}

function toPairs(headers: Record<string, string | string[]>): [string, string][] {
  return Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x] as [string, string]) : [[k, v] as [string, string]]))
}

function cfRequest(headers: Record<string, string | string[]>): cf.RequestDescriptor {
  return { kind: 'request', method: 'POST', targetUri: URL_, requestTarget: '/orders/42?expand=items&currency=EUR', fields: toPairs(headers).map(([name, value]) => ({ name, value })) }
}

function cfSigner(k: KeySet): cf.Signer {
  if (k.alg === 'ed25519' || k.alg === 'rsa-pss-sha512') return cf.webcrypto.signer(k.cfPrivate)
  return { algorithm: k.alg, sign: async (data) => new Uint8Array(await crypto.subtle.sign(WEBCRYPTO[k.alg].sign, k.cfPrivate, data as Uint8Array<ArrayBuffer>)) }
}

function cfVerifier(k: KeySet): cf.Verifier {
  if (k.alg === 'ed25519' || k.alg === 'rsa-pss-sha512') return cf.webcrypto.verifier(k.cfPublic)
  return { algorithm: k.alg, verify: (data, sig) => crypto.subtle.verify(WEBCRYPTO[k.alg].sign, k.cfPublic, sig as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>) }
}

function dhSigner(k: KeySet): import('http-message-signatures').SigningKey {
  // RFC 9421 §3.3.1 fixes the PSS salt at 64 bytes; node:crypto's default salt is the maximum.
  if (k.alg === 'rsa-pss-sha512') {
    return { id: 'k1', alg: k.alg, sign: async (data) => nodeSign('sha512', data, { key: k.nodePrivate as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }) }
  }
  return dh.createSigner(k.nodePrivate, k.alg, 'k1')
}

function ourVerify(k: KeySet) {
  return {
    algorithms: [k.alg],
    key: () => ({ key: (k.secret ?? k.jwkPublic)!, algorithm: k.alg }),
    requiredComponents: ['@method', '@target-uri', 'content-digest'],
  }
}

const ready = Promise.all(ALGS.map(keys))

describe.each(ALGS)('%s', (alg) => {
  const keyset = async () => (await ready).find((k) => k.alg === alg)!

  it('http-message-signatures signs → agentauth verifies', async () => {
    const k = await keyset()
    const signed = await dh.httpbis.signMessage({
      key: dhSigner(k), name: 'dh', fields: COMPONENTS, params: ['created', 'expires', 'keyid', 'alg', 'nonce', 'tag'],
      paramValues: { nonce: 'n-123', tag: 'interop' },
    }, { method: 'POST', url: URL_, headers: await baseHeaders() })
    const v = await verifyRequestSignature(signed, ourVerify(k))
    expect(v).toMatchObject({ label: 'dh', keyid: 'k1', nonce: 'n-123', tag: 'interop', params: { alg } })
    expect(v.components).toHaveLength(COMPONENTS.length)
  })

  it('agentauth signs → http-message-signatures verifies', async () => {
    const k = await keyset()
    const headers = await baseHeaders()
    const fields = await signRequest({ method: 'POST', url: URL_, headers }, { ...k.ours, label: 'ours', components: COMPONENTS, lifetime: 300, keyid: 'k1', includeAlg: true, nonce: true, tag: 'interop' })
    const ok = await dh.httpbis.verifyMessage({
      keyLookup: async (params) => (params.keyid === 'k1' ? { id: 'k1', algs: [alg], verify: dh.createVerifier(k.nodePublic, alg) } : null),
      requiredFields: ['@method', 'content-digest'],
    }, { method: 'POST', url: URL_, headers: { ...headers, 'Signature-Input': fields.signatureInput, 'Signature': fields.signature } })
    expect(ok).toBe(true)
  })

  it('http-message-sig signs → agentauth verifies', async () => {
    const k = await keyset()
    const headers = await baseHeaders()
    const created = Math.floor(Date.now() / 1000)
    const fields = await cf.createSignature(cfRequest(headers), {
      label: 'cf', components: CF_COMPONENTS, signer: cfSigner(k),
      parameters: { created, expires: created + 60, keyid: 'k1', alg, nonce: 'n-456', tag: 'interop' },
    })
    const v = await verifyRequestSignature({ method: 'POST', url: URL_, headers: [...toPairs(headers), ['Signature-Input', fields.signatureInput], ['Signature', fields.signature]] }, ourVerify(k))
    expect(v).toMatchObject({ label: 'cf', created, expires: created + 60, nonce: 'n-456' })
  })

  // http-message-sig derives @request-target only from a descriptor, and a Fetch Request has a
  // single combined value per field, so this direction leaves out those two components.
  it('agentauth signs → http-message-sig verifies (web Request)', async () => {
    const k = await keyset()
    const headers = await baseHeaders()
    const request = new Request(URL_, { method: 'POST', body: BODY, headers: toPairs(headers) })
    const fields = await signRequest(request, { ...k.ours, components: COMPONENTS.filter((c) => c !== 'x-multi' && c !== '@request-target'), lifetime: 300, keyid: 'k1', includeAlg: true })
    const signedHeaders = cf.appendSignature(request.headers, fields)
    const v = await cf.verifySignature(new Request(URL_, { method: 'POST', body: BODY, headers: signedHeaders }), {
      policy: { algorithms: [alg], requiredComponents: ['@method', '@target-uri'], requiredParameters: ['created', 'keyid'], maxAge: 60 },
      resolveVerifier: () => cfVerifier(k),
    })
    expect(v.label).toBe('sig1')
  })

  it('agentauth signs → http-message-sig verifies (descriptor: every component, separate field lines)', async () => {
    const k = await keyset()
    const headers = await baseHeaders()
    const fields = await signRequest({ method: 'POST', url: URL_, headers }, { ...k.ours, label: 'all', components: COMPONENTS, created: Math.floor(Date.now() / 1000), nonce: 'n-789' })
    const v = await cf.verifySignature({ ...cfRequest(headers), fields: [...cfRequest(headers).fields, { name: 'Signature-Input', value: fields.signatureInput }, { name: 'Signature', value: fields.signature }] }, {
      policy: { algorithms: [alg], requiredComponents: CF_COMPONENTS, requiredParameters: ['created', 'nonce'] },
      resolveVerifier: () => cfVerifier(k),
    })
    expect(v.label).toBe('all')
  })
})

describe('responses bound to their request (req)', () => {
  const RESPONSE_COMPONENTS = ['@status', 'content-type', '"@method";req', '"@target-uri";req', '"content-digest";req']

  it('agentauth ↔ http-message-signatures', async () => {
    const k = (await ready).find((x) => x.alg === 'ed25519')!
    const request = { method: 'POST', url: URL_, headers: await baseHeaders() }
    const response = { status: 201, headers: { 'Content-Type': 'application/json' } }
    const ours = await signResponse(response, { ...k.ours, request, components: RESPONSE_COMPONENTS, keyid: 'k1' })
    expect(await dh.httpbis.verifyMessage({ keyLookup: async () => ({ id: 'k1', algs: ['ed25519'], verify: dh.createVerifier(k.nodePublic, 'ed25519') }) },
      { status: 201, headers: { ...response.headers, 'Signature-Input': ours.signatureInput, 'Signature': ours.signature } }, request)).toBe(true)
    const theirs = await dh.httpbis.signMessage({ key: dh.createSigner(k.nodePrivate, 'ed25519', 'k1'), fields: RESPONSE_COMPONENTS, params: ['created', 'keyid'] }, response, request)
    const v = await verifyResponseSignature(theirs, { request, ...ourVerify(k), requiredComponents: ['"@method";req'] })
    expect(v.label).toBe('sig')
  })

  it('agentauth ↔ http-message-sig', async () => {
    const k = (await ready).find((x) => x.alg === 'rsa-pss-sha512')!
    const requestHeaders = await baseHeaders()
    const request = { method: 'POST', url: URL_, headers: requestHeaders }
    const responseFields = [{ name: 'Content-Type', value: 'application/json' }]
    const ours = await signResponse({ status: 201, headers: { 'Content-Type': 'application/json' } }, { ...k.ours, request, components: RESPONSE_COMPONENTS, keyid: 'k1' })
    const cfResponse = (extra: cf.FieldOccurrence[]): cf.ResponseDescriptor => ({ kind: 'response', status: 201, fields: [...responseFields, ...extra], request: cfRequest(requestHeaders) })
    const v1 = await cf.verifySignature(cfResponse([{ name: 'Signature-Input', value: ours.signatureInput }, { name: 'Signature', value: ours.signature }]), {
      policy: { algorithms: ['rsa-pss-sha512'], requiredComponents: [cf.component('@method', { req: true })], requiredParameters: ['created'] },
      resolveVerifier: () => cfVerifier(k),
    })
    expect(v1.label).toBe('sig1')
    const theirs = await cf.createSignature(cfResponse([]), {
      label: 'cfres', components: ['@status', 'content-type', cf.component('@method', { req: true }), cf.component('content-digest', { req: true })],
      parameters: { created: Math.floor(Date.now() / 1000), keyid: 'k1' }, signer: cfSigner(k),
    })
    const v2 = await verifyResponseSignature({ status: 201, headers: [['Content-Type', 'application/json'], ['Signature-Input', theirs.signatureInput], ['Signature', theirs.signature]] }, { request, ...ourVerify(k), requiredComponents: ['"@method";req'] })
    expect(v2.label).toBe('cfres')
  })
})

describe('documented divergences', () => {
  it('an RSA-PSS signature with node:crypto default (maximum) salt is refused (RFC 9421 §3.3.1 fixes sLen = 64)', async () => {
    const k = (await ready).find((x) => x.alg === 'rsa-pss-sha512')!
    const signed = await dh.httpbis.signMessage({ key: dh.createSigner(k.nodePrivate, 'rsa-pss-sha512', 'k1'), fields: ['@method'], params: ['created', 'keyid'] },
      { method: 'POST', url: URL_, headers: {} })
    await expect(verifyRequestSignature(signed, { ...ourVerify(k), requiredComponents: [] })).rejects.toMatchObject({ code: 'ERR_HTTPSIG_SIGNATURE' })
    void createPrivateKey
  })
})
