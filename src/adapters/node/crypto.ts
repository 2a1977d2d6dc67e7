// A Web Crypto object whose hot operations (verify, sign, digest) run synchronously on node:crypto.
// Web Crypto on Node hops to the libuv thread pool for every call, which costs ~30% of an ECDSA
// verification and ~13× a small SHA-256 (docs/benchmarks.md). Keys stay real CryptoKeys (imported
// by the platform's subtle), so everything else — importKey, exportKey, generateKey — is delegated
// unchanged and the object can be passed wherever agentauth takes `crypto?: Crypto`.
//
// Besides the promise-returning `subtle` methods, the object exposes synchronous `verify` / `digest`
// under the SYNC_CRYPTO symbol; agentauth's verifiers call those directly and skip the promise.
import { KeyObject, constants, createHash, createHmac, sign as nodeSign, timingSafeEqual, verify as nodeVerify } from 'node:crypto'
import { SYNC_CRYPTO, type SyncCryptoOperations } from '../../internal/sync-crypto.js'

type AlgorithmLike = string | (Algorithm & { hash?: string | Algorithm; saltLength?: number })

/** What node:crypto needs to verify/sign with one key under one Web Crypto algorithm. */
interface Prepared {
  readonly hash: string | null
  /** `{ key, dsaEncoding | padding, saltLength }`, built once per key and algorithm. */
  readonly options: Record<string, unknown>
  /** The key's type and usages allow this operation under this algorithm (Web Crypto's checks). */
  readonly verifyAllowed: boolean
}

interface KeyEntry {
  readonly ko: KeyObject
  /** Preparations per algorithm object (weak: callers may pass fresh objects) … */
  readonly byObject: WeakMap<object, Prepared | null>
  /** … and per algorithm name string. */
  readonly byName: Map<string, Prepared | null>
}

const keys = new WeakMap<CryptoKey, KeyEntry>()

function entryOf(key: CryptoKey): KeyEntry {
  let e = keys.get(key)
  if (e === undefined) {
    e = { ko: KeyObject.from(key), byObject: new WeakMap(), byName: new Map() }
    keys.set(key, e)
  }
  return e
}

function keyObject(key: CryptoKey): KeyObject {
  return entryOf(key).ko
}

function hashName(hash: string | Algorithm | undefined): string {
  const name = typeof hash === 'string' ? hash : hash?.name
  switch (name?.toUpperCase()) {
    case 'SHA-1': return 'sha1'
    case 'SHA-256': return 'sha256'
    case 'SHA-384': return 'sha384'
    case 'SHA-512': return 'sha512'
    default: throw new DOMException(`unsupported hash ${String(name)}`, 'NotSupportedError')
  }
}

function toBytes(data: BufferSource): Uint8Array {
  if (data instanceof Uint8Array) return data
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return new Uint8Array(data)
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}

/** Node's signing options for a Web Crypto algorithm, or null when not accelerated (HMAC, unknown). */
function prepare(alg: AlgorithmLike, key: CryptoKey, ko: KeyObject): Prepared | null {
  const name = (typeof alg === 'string' ? alg : alg.name).toUpperCase()
  const keyAlg = key.algorithm as Algorithm & { hash?: Algorithm }
  // Web Crypto refuses a key of another algorithm or without the usage (InvalidAccessError).
  const verifyAllowed = keyAlg.name.toUpperCase() === name && key.type === 'public' && key.usages.includes('verify')
  switch (name) {
    case 'ECDSA':
      return { hash: hashName(typeof alg === 'string' ? undefined : alg.hash), options: { key: ko, dsaEncoding: 'ieee-p1363' }, verifyAllowed }
    case 'ED25519':
      return { hash: null, options: { key: ko }, verifyAllowed }
    case 'RSA-PSS':
      return { hash: hashName(keyAlg.hash), options: { key: ko, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: typeof alg === 'string' ? 0 : alg.saltLength ?? 0 }, verifyAllowed }
    case 'RSASSA-PKCS1-V1_5':
      return { hash: hashName(keyAlg.hash), options: { key: ko, padding: constants.RSA_PKCS1_PADDING }, verifyAllowed }
    default:
      return null
  }
}

function prepared(alg: AlgorithmLike, key: CryptoKey): Prepared | null {
  const e = entryOf(key)
  if (typeof alg === 'object' && alg !== null) {
    let p = e.byObject.get(alg)
    if (p === undefined) {
      p = prepare(alg, key, e.ko)
      e.byObject.set(alg, p)
    }
    return p
  }
  let p = e.byName.get(alg)
  if (p === undefined) {
    p = prepare(alg, key, e.ko)
    if (e.byName.size < 16) e.byName.set(alg, p)
  }
  return p
}

function invalidAccess(): never {
  throw new DOMException('the key cannot be used to verify with this algorithm', 'InvalidAccessError')
}

const DIGESTS: Readonly<Record<string, string>> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' }

const syncOperations: SyncCryptoOperations = {
  verify(alg, key, signature, data) {
    const p = prepared(alg as AlgorithmLike, key)
    if (p === null) return undefined
    if (!p.verifyAllowed) invalidAccess()
    return nodeVerify(p.hash, data, p.options as never, signature)
  },
  digest(alg, data) {
    const name = DIGESTS[alg]
    if (name === undefined) return undefined
    const out = createHash(name).update(data).digest()
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  },
}

/**
 * Returns a `Crypto` object for Node that runs signature verification, signing and digests
 * synchronously on `node:crypto` (no thread-pool hop) and delegates everything else to
 * `globalThis.crypto`. Pass it as the `crypto` option of any agentauth verifier or signer.
 *
 * @param base - the Web Crypto object to delegate to (default `globalThis.crypto`).
 * @returns a `Crypto` whose `subtle` verifies, signs and digests on `node:crypto`; results and
 *   errors match Web Crypto's for the same inputs.
 *
 * @example
 * ```ts
 * import { nodeCrypto } from 'agentauth/adapters/node'
 * import { createRequestVerifier } from 'agentauth/server'
 * const verify = createRequestVerifier({ …policy, crypto: nodeCrypto() })
 * ```
 */
export function nodeCrypto(base: Crypto = globalThis.crypto): Crypto {
  const subtle = base.subtle
  const fast: Partial<SubtleCrypto> = {
    async verify(alg: AlgorithmLike, key: CryptoKey, signature: BufferSource, data: BufferSource): Promise<boolean> {
      const name = (typeof alg === 'string' ? alg : alg.name).toUpperCase()
      if (name === 'HMAC') {
        const mac = createHmac(hashName((key.algorithm as HmacKeyAlgorithm).hash), keyObject(key)).update(toBytes(data)).digest()
        const sig = toBytes(signature)
        return sig.length === mac.length && timingSafeEqual(mac, sig)
      }
      const ok = syncOperations.verify(alg as Algorithm, key, toBytes(signature), toBytes(data))
      return ok === undefined ? subtle.verify(alg, key, signature, data) : ok
    },
    async sign(alg: AlgorithmLike, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer> {
      const name = (typeof alg === 'string' ? alg : alg.name).toUpperCase()
      if (name === 'HMAC') {
        return toArrayBuffer(createHmac(hashName((key.algorithm as HmacKeyAlgorithm).hash), keyObject(key)).update(toBytes(data)).digest())
      }
      const p = prepared(alg, key)
      if (p === null) return subtle.sign(alg, key, data)
      return toArrayBuffer(nodeSign(p.hash, toBytes(data), p.options as never))
    },
    async digest(alg: AlgorithmIdentifier, data: BufferSource): Promise<ArrayBuffer> {
      return toArrayBuffer(createHash(hashName(alg as string | Algorithm)).update(toBytes(data)).digest())
    },
  }
  const proxiedSubtle = new Proxy(subtle, {
    get(target, prop) {
      if (prop in fast) return fast[prop as keyof typeof fast]
      const v = Reflect.get(target, prop, target) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  })
  return {
    subtle: proxiedSubtle,
    getRandomValues: base.getRandomValues.bind(base),
    randomUUID: base.randomUUID.bind(base),
    [SYNC_CRYPTO]: syncOperations,
  } as Crypto
}
