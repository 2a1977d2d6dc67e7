// Review round 8: nodeCrypto() promises the results and errors of Web Crypto for the same inputs.
// Each case runs through both; an error compares by its name (TypeError, InvalidAccessError, …).
import { Crypto as PeculiarCrypto } from '@peculiar/webcrypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nodeCrypto } from '../../../src/adapters/node/crypto.js'

const data = new TextEncoder().encode('hello')
const N256 = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
function be(n: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len)
  for (let i = len - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn)
  return out
}
const cat = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]))

async function outcome(run: () => Promise<unknown>): Promise<string> {
  return run().then(
    (v) => (v instanceof ArrayBuffer ? `bytes:${v.byteLength}` : `value:${String(v)}`),
    (e: unknown) => `throws:${(e as Error).name}`,
  )
}

async function keys() {
  const ec = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
  const ed = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair
  const rsa = (await crypto.subtle.generateKey({ name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
  const hmacSign = (await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign'])) as CryptoKey
  const hmacVerify = (await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['verify'])) as CryptoKey
  return { ec, ed, rsa, hmacSign, hmacVerify }
}

describe('nodeCrypto() answers as Web Crypto does', async () => {
  const k = await keys()
  const node = nodeCrypto()
  const es = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, k.ec.privateKey, data))
  const s = BigInt(`0x${Buffer.from(es.subarray(32)).toString('hex')}`)
  const ES256 = { name: 'ECDSA', hash: 'SHA-256' }

  const cases: Array<[string, (c: Crypto) => Promise<unknown>]> = [
    // malformed signatures: false, never a throw or true
    ['ES256 good', (c) => c.subtle.verify(ES256, k.ec.publicKey, es, data)],
    ['ES256 high S', (c) => c.subtle.verify(ES256, k.ec.publicKey, cat(es.subarray(0, 32), be(N256 - s, 32)), data)],
    ['ES256 zeros', (c) => c.subtle.verify(ES256, k.ec.publicKey, new Uint8Array(64), data)],
    ['ES256 r = n', (c) => c.subtle.verify(ES256, k.ec.publicKey, cat(be(N256, 32), es.subarray(32)), data)],
    ['ES256 s = n', (c) => c.subtle.verify(ES256, k.ec.publicKey, cat(es.subarray(0, 32), be(N256, 32)), data)],
    ['ES256 63 bytes', (c) => c.subtle.verify(ES256, k.ec.publicKey, es.subarray(0, 63), data)],
    ['ES256 65 bytes', (c) => c.subtle.verify(ES256, k.ec.publicKey, cat(es, new Uint8Array(1)), data)],
    ['Ed25519 zeros', (c) => c.subtle.verify('Ed25519', k.ed.publicKey, new Uint8Array(64), data)],
    ['PS256 zeros', (c) => c.subtle.verify({ name: 'RSA-PSS', saltLength: 32 }, k.rsa.publicKey, new Uint8Array(256), data)],
    // missing algorithm members: TypeError
    ['ECDSA verify without hash', (c) => c.subtle.verify('ECDSA', k.ec.publicKey, es, data)],
    ['ECDSA sign without hash', (c) => c.subtle.sign({ name: 'ECDSA' } as never, k.ec.privateKey, data)],
    ['RSA-PSS verify without saltLength', (c) => c.subtle.verify({ name: 'RSA-PSS' } as never, k.rsa.publicKey, new Uint8Array(256), data)],
    ['RSA-PSS sign without saltLength', (c) => c.subtle.sign('RSA-PSS', k.rsa.privateKey, data)],
    // data that is not a BufferSource: TypeError (not a signature over nothing)
    ['sign a string', (c) => c.subtle.sign('Ed25519', k.ed.privateKey, 'abc' as never)],
    ['verify a null signature', (c) => c.subtle.verify('Ed25519', k.ed.publicKey, null as never, data)],
    // keys that do not fit the algorithm or operation: InvalidAccessError
    ['sign Ed25519 with an EC key', (c) => c.subtle.sign('Ed25519', k.ec.privateKey, data)],
    ['sign ECDSA with an Ed25519 key', (c) => c.subtle.sign(ES256, k.ed.privateKey, data)],
    ['sign RSA-PSS with an EC key', (c) => c.subtle.sign({ name: 'RSA-PSS', saltLength: 32 }, k.ec.privateKey, data)],
    ['sign with a public key', (c) => c.subtle.sign(ES256, k.ec.publicKey, data)],
    ['HMAC sign with a verify-only key', (c) => c.subtle.sign('HMAC', k.hmacVerify, data)],
    ['HMAC verify with a sign-only key', (c) => c.subtle.verify('HMAC', k.hmacSign, new Uint8Array(32), data)],
    ['HMAC verify with an EC key', (c) => c.subtle.verify('HMAC', k.ec.publicKey, new Uint8Array(32), data)],
  ]

  it.each(cases)('%s', async (_name, run) => {
    const expected = await outcome(() => run(globalThis.crypto))
    expect(await outcome(() => run(node))).toBe(expected)
  })

  it('still signs and verifies what Web Crypto does', async () => {
    const sig = await node.subtle.sign('Ed25519', k.ed.privateKey, data)
    expect(await crypto.subtle.verify('Ed25519', k.ed.publicKey, sig, data)).toBe(true)
    const mac = await node.subtle.sign('HMAC', k.hmacSign, data.buffer)
    expect(mac.byteLength).toBe(32)
    expect(await node.subtle.verify(ES256, k.ec.publicKey, es.buffer, data)).toBe(true)
  })
})

describe('nodeCrypto(base) with a provider whose keys node:crypto cannot use', () => {
  it('signs and verifies @peculiar/webcrypto keys through that provider (it threw for every key)', async () => {
    const base = new PeculiarCrypto() as unknown as Crypto
    const c = nodeCrypto(base)
    const ES256 = { name: 'ECDSA', hash: 'SHA-256' }
    const ec = (await c.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
    const sig = await c.subtle.sign(ES256, ec.privateKey, data)
    expect(await base.subtle.verify(ES256, ec.publicKey, sig, data)).toBe(true)
    expect(await c.subtle.verify(ES256, ec.publicKey, sig, data)).toBe(true)
    expect(await c.subtle.verify(ES256, ec.publicKey, new Uint8Array(64), data)).toBe(false)
    const hmac = (await c.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKey
    const mac = await c.subtle.sign('HMAC', hmac, data)
    expect(await c.subtle.verify('HMAC', hmac, mac, data)).toBe(true)
  })
})

describe('nodeCrypto() and Web Crypto agree on random signatures (fast-check)', async () => {
  const k = await keys()
  const node = nodeCrypto()
  const es = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, k.ec.privateKey, data))
  const ed = new Uint8Array(await crypto.subtle.sign('Ed25519', k.ed.privateKey, data))
  const flips = (good: Uint8Array) => fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
    const out = good.slice()
    out[i] = out[i]! ^ x
    return out
  })
  const cases: Array<[string, AlgorithmIdentifier | EcdsaParams, CryptoKey, Uint8Array]> = [
    ['ES256', { name: 'ECDSA', hash: 'SHA-256' }, k.ec.publicKey, es],
    ['Ed25519', 'Ed25519', k.ed.publicKey, ed],
  ]
  it.each(cases)('%s: random bytes of any length and one-byte changes of a good signature', async (_name, alg, key, good) => {
    const signatures = fc.oneof(fc.uint8Array({ maxLength: 140 }), fc.uint8Array({ minLength: good.length, maxLength: good.length }), flips(good))
    await fc.assert(fc.asyncProperty(signatures, async (sig) => {
      const expected = await outcome(() => crypto.subtle.verify(alg, key, sig, data))
      expect(await outcome(() => node.subtle.verify(alg, key, sig, data))).toBe(expected)
    }), { numRuns: 150 })
  })
})
