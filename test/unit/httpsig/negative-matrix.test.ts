// The negative matrix: every way a signed message can be changed, stripped, replayed, confused or
// malformed, each refused with its exact error code.
import { describe, expect, it } from 'vitest'
import {
  createContentDigest,
  parseWantContentDigest,
  signRequest,
  signResponse,
  verifyContentDigest,
  verifyMessageContentDigest,
  verifyRequestSignature,
  verifyResponseSignature,
  type VerifyOptions,
  type VerifyResponseOptions,
} from '../../../src/httpsig/index.js'
import { StoreError } from '../../../src/errors/index.js'
import type { ReplayCache } from '../../../src/stores/types.js'
import { clockAt, generated } from '../../helpers/httpsig.js'

const NOW = 1_800_000_000
const URL_ = 'https://api.example.com/v1/orders?id=7&mode=fast'
const BODY = '{"amount":10}'
type Pairs = [string, string][]

const ed = await generated('EdDSA')
const es = await generated('ES256')
const DIGEST = await createContentDigest(BODY)
const HEADERS: Pairs = [
  ['Content-Type', 'application/json'],
  ['Content-Digest', DIGEST],
  ['Authorization', 'Bearer abc'],
  ['X-Custom', 'one'],
  ['Example-Dict', 'a=1, b=2'],
]
const COMPONENTS = ['@method', '@authority', '@scheme', '@path', '@query', '@target-uri', '"@query-param";name="id"', 'content-type', 'content-digest', 'authorization', 'x-custom', '"example-dict";key="a"']

function memoryCache(): ReplayCache & { keys: string[] } {
  const seen = new Set<string>()
  return { keys: [], async claim(key) { this.keys.push(key); if (seen.has(key)) return false; seen.add(key); return true } }
}

function options(extra: Partial<VerifyResponseOptions> = {}): VerifyResponseOptions {
  return {
    algorithms: ['ed25519'],
    key: () => ({ key: ed.jwk, algorithm: 'ed25519' }),
    clock: clockAt(NOW),
    requiredComponents: ['@method', '@target-uri'],
    ...extra,
  }
}

interface Msg { method: string; url: string; headers: Pairs; body?: string }

async function signed(signExtra: Record<string, unknown> = {}, msg: Msg = { method: 'POST', url: URL_, headers: HEADERS, body: BODY }): Promise<Msg> {
  const fields = await signRequest(msg, { signer: ed.signer, components: COMPONENTS, created: NOW - 10, expires: NOW + 50, nonce: 'n1', tag: 'app', keyid: 'k1', ...signExtra })
  return { ...msg, headers: [...msg.headers.filter(([n]) => !/^signature/i.test(n)), ['Signature-Input', fields.signatureInput], ['Signature', fields.signature]] }
}

function setHeader(m: Msg, name: string, value: string | undefined): Msg {
  const headers = m.headers.filter(([n]) => n.toLowerCase() !== name.toLowerCase())
  if (value !== undefined) headers.push([name, value])
  return { ...m, headers }
}
function header(m: Msg, name: string): string {
  return m.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())![1]
}

type Case = [name: string, code: string, run: () => Promise<unknown>]
const reject = (m: Msg, o: Partial<VerifyOptions> = {}) => verifyRequestSignature(m, options(o))

const base = await signed()

const cases: Case[] = [
  // --- each covered component changed ---
  ['method changed', 'ERR_HTTPSIG_SIGNATURE', () => reject({ ...base, method: 'PUT' })],
  ['authority changed', 'ERR_HTTPSIG_SIGNATURE', () => reject({ ...base, url: URL_.replace('api.example.com', 'evil.example.com') })],
  ['port added', 'ERR_HTTPSIG_SIGNATURE', () => reject({ ...base, url: URL_.replace('api.example.com', 'api.example.com:8443') })],
  ['scheme changed', 'ERR_HTTPSIG_SIGNATURE', () => reject({ ...base, url: URL_.replace('https:', 'http:') })],
  ['path changed', 'ERR_HTTPSIG_SIGNATURE', () => reject({ ...base, url: URL_.replace('/v1/orders', '/v1/refunds') })],
  ['query changed', 'ERR_HTTPSIG_SIGNATURE', () => reject({ ...base, url: URL_.replace('mode=fast', 'mode=slow') })],
  ['query parameter added', 'ERR_HTTPSIG_SIGNATURE', () => reject({ ...base, url: URL_ + '&admin=1' })],
  ['covered query parameter value changed', 'ERR_HTTPSIG_SIGNATURE', () => reject({ ...base, url: URL_.replace('id=7', 'id=8') })],
  ['content-type changed', 'ERR_HTTPSIG_SIGNATURE', () => reject(setHeader(base, 'Content-Type', 'text/plain'))],
  ['content-digest changed', 'ERR_HTTPSIG_SIGNATURE', async () => reject(setHeader(base, 'Content-Digest', await createContentDigest('{"amount":1000}')))],
  ['authorization changed', 'ERR_HTTPSIG_SIGNATURE', () => reject(setHeader(base, 'Authorization', 'Bearer other'))],
  ['x-custom changed', 'ERR_HTTPSIG_SIGNATURE', () => reject(setHeader(base, 'X-Custom', 'two'))],
  ['x-custom second field line added', 'ERR_HTTPSIG_SIGNATURE', () => reject({ ...base, headers: [...base.headers, ['X-Custom', 'two']] })],
  ['covered dictionary member changed', 'ERR_HTTPSIG_SIGNATURE', () => reject(setHeader(base, 'Example-Dict', 'a=9, b=2'))],
  ['body changed vs content-digest', 'ERR_DIGEST_MISMATCH', () => verifyMessageContentDigest({ ...base, body: '{"amount":1000}' })],
  ['status changed', 'ERR_HTTPSIG_SIGNATURE', async () => {
    const r = await signResponse({ status: 200, headers: {} }, { signer: ed.signer, components: ['@status'], created: NOW })
    return verifyResponseSignature({ status: 500, headers: { 'Signature-Input': r.signatureInput, 'Signature': r.signature } }, options({ requiredComponents: [] }))
  }],
  ['request component of a response changed (req)', 'ERR_HTTPSIG_SIGNATURE', async () => {
    const request = { method: 'POST', url: URL_ }
    const r = await signResponse({ status: 200, headers: {} }, { signer: ed.signer, request, components: ['@status', '"@method";req'], created: NOW })
    return verifyResponseSignature({ status: 200, headers: { 'Signature-Input': r.signatureInput, 'Signature': r.signature } }, options({ request: { ...request, method: 'GET' }, requiredComponents: [] }))
  }],
  ['header value with obs-text', 'ERR_HTTPSIG_COMPONENT_INVALID', () => reject(setHeader(base, 'X-Custom', 'caf\u00e9'))],

  // --- components missing or duplicated ---
  ['covered header removed', 'ERR_HTTPSIG_COMPONENT_MISSING', () => reject(setHeader(base, 'Authorization', undefined))],
  ['required component not covered', 'ERR_HTTPSIG_COMPONENT_MISSING', () => reject(base, { requiredComponents: ['@method', 'x-other'] })],
  ['required component with other parameters not covered', 'ERR_HTTPSIG_COMPONENT_MISSING', () => reject(base, { requiredComponents: ['"example-dict";key="b"'] })],
  ['covered query parameter removed', 'ERR_HTTPSIG_COMPONENT_MISSING', () => reject({ ...base, url: URL_.replace('id=7&', '') })],
  ['covered dictionary member removed', 'ERR_HTTPSIG_COMPONENT_MISSING', () => reject(setHeader(base, 'Example-Dict', 'b=2'))],
  ['trailers not available on a Request', 'ERR_HTTPSIG_COMPONENT_MISSING', async () => {
    const sig = await signRequest({ method: 'GET', url: URL_, trailers: { expires: 'x' } }, { signer: ed.signer, components: ['"expires";tr'], created: NOW })
    return verifyRequestSignature(new Request(URL_, { headers: { 'Signature-Input': sig.signatureInput, 'Signature': sig.signature } }), options({ requiredComponents: [] }))
  }],
  ['response req component without the request', 'ERR_HTTPSIG_COMPONENT_MISSING', async () => {
    const r = await signResponse({ status: 200, headers: {} }, { signer: ed.signer, request: { method: 'POST', url: URL_ }, components: ['"@method";req'], created: NOW })
    return verifyResponseSignature({ status: 200, headers: { 'Signature-Input': r.signatureInput, 'Signature': r.signature } }, options({ requiredComponents: [] }))
  }],
  ['duplicate component', 'ERR_HTTPSIG_COMPONENT_INVALID', () => reject(setHeader(base, 'Signature-Input', header(base, 'Signature-Input').replace('("@method"', '("@method" "@method"')))],
  ['duplicate component with parameters reordered', 'ERR_HTTPSIG_COMPONENT_INVALID', () => reject(setHeader(base, 'Signature-Input', header(base, 'Signature-Input').replace('("@method"', '("example-dict";key="a";sf "example-dict";sf;key="a" "@method"')))],
  ['@query-param for a repeated name', 'ERR_HTTPSIG_COMPONENT_INVALID', () => reject({ ...base, url: URL_ + '&id=8' })],
  ['unknown derived component', 'ERR_HTTPSIG_COMPONENT_INVALID', () => reject(setHeader(base, 'Signature-Input', header(base, 'Signature-Input').replace('"@scheme"', '"@schema"')))],
  ['unknown component parameter', 'ERR_HTTPSIG_COMPONENT_INVALID', () => reject(setHeader(base, 'Signature-Input', header(base, 'Signature-Input').replace('"x-custom"', '"x-custom";zz')))],
  ['@signature-params listed as covered', 'ERR_HTTPSIG_COMPONENT_INVALID', () => reject(setHeader(base, 'Signature-Input', header(base, 'Signature-Input').replace('("@method"', '("@signature-params" "@method"')))],
  ['upper-case field name', 'ERR_HTTPSIG_COMPONENT_INVALID', () => reject(setHeader(base, 'Signature-Input', header(base, 'Signature-Input').replace('"x-custom"', '"X-Custom"')))],
  ['token instead of string identifier', 'ERR_HTTPSIG_COMPONENT_INVALID', () => reject(setHeader(base, 'Signature-Input', header(base, 'Signature-Input').replace('"x-custom"', 'x-custom')))],
  ['req on a request signature', 'ERR_HTTPSIG_COMPONENT_INVALID', () => reject(setHeader(base, 'Signature-Input', header(base, 'Signature-Input').replace('"x-custom"', '"x-custom";req')))],
  ['bs combined with key', 'ERR_HTTPSIG_COMPONENT_INVALID', () => reject(setHeader(base, 'Signature-Input', header(base, 'Signature-Input').replace('"example-dict";key="a"', '"example-dict";key="a";bs')))],
  ['@status;req', 'ERR_HTTPSIG_COMPONENT_INVALID', () => verifyResponseSignature({ status: 200, headers: { 'Signature-Input': 'sig1=("@status";req);created=1', 'Signature': 'sig1=:AA==:' } }, options())],

  // --- labels ---
  ['requested label absent', 'ERR_HTTPSIG_MISSING', () => reject(base, { label: 'other' })],
  ['Signature carries another label than Signature-Input', 'ERR_HTTPSIG_INVALID', () => reject(setHeader(base, 'Signature', header(base, 'Signature').replace('sig1=', 'sig2=')))],
  ['several signatures and no selection', 'ERR_HTTPSIG_INVALID', async () => reject(await signed({ label: 'sig2' }, base))],
  ['signature value of another label', 'ERR_HTTPSIG_SIGNATURE', async () => {
    const two = await signed({ label: 'sig2', components: ['@method', '@target-uri'] }, base)
    const sigs = header(two, 'Signature').split(', ')
    return reject(setHeader(two, 'Signature', `${sigs[0]!.split('=')[0]}=${sigs[1]!.slice(sigs[1]!.indexOf('=') + 1)}, ${sigs[1]}`), { label: 'sig1' })
  }],
  ['no Signature-Input', 'ERR_HTTPSIG_MISSING', () => reject(setHeader(base, 'Signature-Input', undefined))],
  ['no Signature', 'ERR_HTTPSIG_MISSING', () => reject(setHeader(base, 'Signature', undefined))],

  // --- time ---
  ['expired', 'ERR_HTTPSIG_EXPIRED', () => reject(base, { clock: clockAt(NOW + 50) })],
  ['created in the future', 'ERR_HTTPSIG_EXPIRED', () => reject(base, { clock: clockAt(NOW - 20) })],
  ['created in the future beyond the tolerance', 'ERR_HTTPSIG_EXPIRED', () => reject(base, { clock: clockAt(NOW - 20), clockTolerance: 5 })],
  ['older than maxAge', 'ERR_HTTPSIG_EXPIRED', () => reject(base, { maxAge: 5 })],
  ['lifetime above maxLifetime', 'ERR_HTTPSIG_EXPIRED', () => reject(base, { maxLifetime: 30 })],
  ['expires before created', 'ERR_HTTPSIG_INVALID', async () => reject(await signed({ created: false, expires: NOW + 5, params: {} }).then((m) => setHeader(m, 'Signature-Input', header(m, 'Signature-Input').replace(';expires=', `;created=${NOW + 10};expires=`))))],
  ['created missing', 'ERR_HTTPSIG_INVALID', async () => reject(await signed({ created: false }))],
  ['expires missing but required', 'ERR_HTTPSIG_INVALID', async () => reject(await signed({ expires: undefined }), { requireExpires: true })],

  // --- tag ---
  ['wrong tag', 'ERR_HTTPSIG_TAG', () => reject(base, { tag: 'other-app', label: 'sig1' })],
  ['no signature with the required tag', 'ERR_HTTPSIG_TAG', () => reject(base, { tag: 'other-app' })],
  ['tag missing', 'ERR_HTTPSIG_TAG', async () => reject(await signed({ tag: undefined }), { tag: 'app', label: 'sig1' })],

  // --- replay ---
  ['nonce replayed', 'ERR_PROOF_REPLAYED', async () => {
    const cache = memoryCache()
    await reject(base, { replayCache: cache, maxAge: 60 })
    return reject(base, { replayCache: cache, maxAge: 60 })
  }],
  ['nonce missing with a replay cache', 'ERR_HTTPSIG_INVALID', async () => reject(await signed({ nonce: undefined }), { replayCache: memoryCache(), maxAge: 60 })],
  ['replay cache down (fails closed)', 'ERR_STORE_UNAVAILABLE', () => reject(base, { replayCache: { claim: () => Promise.reject(new Error('down')) }, maxAge: 60 })],

  // --- algorithms and keys ---
  ['alg parameter names another algorithm than the key', 'ERR_ALG_NOT_ALLOWED', async () => reject(await signed({ includeAlg: true }), { algorithms: ['ed25519', 'hmac-sha256'], key: () => ({ key: new Uint8Array(32).fill(7), algorithm: 'hmac-sha256' }) })],
  ['HMAC forged with the public key as secret, alg=hmac-sha256', 'ERR_ALG_NOT_ALLOWED', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(ed.jwk)).slice(0, 32)
    const forged = await signRequest({ method: 'POST', url: URL_, headers: HEADERS }, { hmacKey: secret, components: ['@method', '@target-uri'], created: NOW, includeAlg: true })
    return reject({ ...base, headers: [...HEADERS, ['Signature-Input', forged.signatureInput], ['Signature', forged.signature]] })
  }],
  ['key algorithm outside the allow-list', 'ERR_ALG_NOT_ALLOWED', () => reject(base, { algorithms: ['ecdsa-p256-sha256'] })],
  ['unregistered alg parameter', 'ERR_ALG_NOT_ALLOWED', () => reject(setHeader(base, 'Signature-Input', header(base, 'Signature-Input') + ';alg="rsa-sha1"'))],
  ['wrong key for the signature', 'ERR_HTTPSIG_SIGNATURE', () => reject(base, { algorithms: ['ES256'], key: () => ({ key: es.jwk, algorithm: 'ES256' }) })],
  ['key type does not fit the algorithm', 'ERR_KEY_INVALID', () => reject(base, { algorithms: ['ES256'], key: () => ({ key: ed.jwk, algorithm: 'ES256' }) })],
  ['private JWK handed to the verifier', 'ERR_KEY_INVALID', () => reject(base, { key: () => ({ key: { ...ed.jwk, d: 'AAAA' }, algorithm: 'ed25519' }) })],
  ['resolver finds no key', 'ERR_KEY_NOT_FOUND', () => reject(base, { key: () => { throw new Error('unknown keyid') } })],
  ['forbidden parameter present', 'ERR_HTTPSIG_INVALID', () => reject(base, { forbiddenParams: ['keyid'] })],
  ['required parameter missing', 'ERR_HTTPSIG_INVALID', () => reject(base, { requiredParams: ['wimse-aud'] })],

  // --- malformed structured fields ---
  ['Signature-Input is not a dictionary', 'ERR_HTTPSIG_INVALID', () => reject(setHeader(base, 'Signature-Input', '("@method")'))],
  ['Signature member is not a Byte Sequence', 'ERR_HTTPSIG_INVALID', () => reject(setHeader(base, 'Signature', 'sig1="abc"'))],
  ['Signature base64 without padding', 'ERR_HTTPSIG_INVALID', () => reject(setHeader(base, 'Signature', header(base, 'Signature').replace('==:', ':')))],
  ['Signature base64 with non-zero trailing bits', 'ERR_HTTPSIG_INVALID', () => reject(setHeader(base, 'Signature', header(base, 'Signature').replace(/.==:$/, 'B==:')))],
  ['Byte Sequence parameter with odd padding', 'ERR_HTTPSIG_INVALID', () => reject(setHeader(base, 'Signature-Input', header(base, 'Signature-Input') + ';x=:YQ=:'))],
  ['duplicate label', 'ERR_HTTPSIG_INVALID', () => reject({ ...base, headers: [...base.headers, ['Signature-Input', header(base, 'Signature-Input')], ['Signature', header(base, 'Signature')]] })],
  ['duplicate signature parameter', 'ERR_HTTPSIG_INVALID', () => reject(setHeader(base, 'Signature-Input', header(base, 'Signature-Input') + `;created=${NOW}`))],
  ['created as a Decimal', 'ERR_HTTPSIG_INVALID', () => reject(setHeader(base, 'Signature-Input', header(base, 'Signature-Input').replace(`created=${NOW - 10}`, `created=${NOW - 10}.0`)))],
  ['nonce as a Token', 'ERR_HTTPSIG_INVALID', () => reject(setHeader(base, 'Signature-Input', header(base, 'Signature-Input').replace('nonce="n1"', 'nonce=n1')))],
  ['member is an Item, not an Inner List', 'ERR_HTTPSIG_INVALID', () => reject(setHeader(base, 'Signature-Input', 'sig1="@method";created=1'))],
  ['trailing comma', 'ERR_HTTPSIG_INVALID', () => reject(setHeader(base, 'Signature-Input', header(base, 'Signature-Input') + ','))],
  ['signature of the wrong length', 'ERR_HTTPSIG_SIGNATURE', () => reject(setHeader(base, 'Signature', 'sig1=:AAAA:'))],

  // --- sizes ---
  ['Signature-Input above maxHeaderBytes', 'ERR_INPUT_TOO_LARGE', () => reject(base, { maxHeaderBytes: 100 })],
  ['too many signatures', 'ERR_INPUT_TOO_LARGE', async () => reject(await signed({ label: 'sig2' }, base), { maxSignatures: 1, label: 'sig1' })],
  ['too many covered components', 'ERR_INPUT_TOO_LARGE', () => reject(setHeader(base, 'Signature-Input', `sig1=(${Array.from({ length: 65 }, (_, i) => `"x-h${i}"`).join(' ')});created=${NOW}`))],

  // --- content digest ---
  ['body without Content-Digest', 'ERR_DIGEST_MISSING', () => verifyMessageContentDigest(setHeader(base, 'Content-Digest', undefined))],
  ['malformed Content-Digest', 'ERR_DIGEST_INVALID', () => verifyContentDigest('sha-256=:abc', BODY)],
  ['Content-Digest sha-256 of the wrong length', 'ERR_DIGEST_INVALID', () => verifyContentDigest('sha-256=:AAAA:', BODY)],
  ['Content-Digest with odd base64 padding', 'ERR_DIGEST_INVALID', () => verifyContentDigest(DIGEST.replace('=:', ':'), BODY)],
  ['only unknown digest algorithms', 'ERR_DIGEST_MISSING', () => verifyContentDigest('md5=:AAAAAAAAAAAAAAAAAAAAAA==:', BODY)],
  ['required algorithm absent', 'ERR_DIGEST_MISSING', () => verifyContentDigest(DIGEST, BODY, { require: ['sha-512'] })],
  ['one of two digests does not match', 'ERR_DIGEST_MISMATCH', async () => verifyContentDigest(`${DIGEST}, ${(await createContentDigest('x', { algorithms: ['sha-512'] }))}`, BODY)],
  ['streamed body above maxBytes', 'ERR_BODY_TOO_LARGE', () => verifyContentDigest(DIGEST, new Blob([new Uint8Array(2048)]).stream(), { maxBytes: 1024 })],
  ['Content-Digest above maxFieldBytes', 'ERR_INPUT_TOO_LARGE', () => verifyContentDigest(`${DIGEST}, x=${'1'.repeat(5000)}`, BODY)],
  ['Want-Content-Digest preference out of range', 'ERR_DIGEST_INVALID', async () => parseWantContentDigest('sha-256=11')],
]

describe('httpsig negative matrix', () => {
  it('the unmodified message verifies (baseline)', async () => {
    const v = await reject(base, { requiredComponents: COMPONENTS, replayCache: memoryCache(), maxAge: 60, tag: 'app' })
    expect(v.components).toHaveLength(COMPONENTS.length)
    await expect(verifyMessageContentDigest(base)).resolves.toMatchObject({ algorithms: ['sha-256'] })
  })

  it(`has at least 45 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(45)
  })

  it.each(cases)('%s → %s', async (_name, code, run) => {
    await expect(run()).rejects.toMatchObject({ code })
  })

  it('a failing replay cache surfaces as a StoreError', async () => {
    await expect(reject(base, { replayCache: { claim: () => Promise.reject(new Error('down')) }, maxAge: 60 })).rejects.toBeInstanceOf(StoreError)
  })
})
