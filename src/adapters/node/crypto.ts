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
  readonly signAllowed: boolean
}

interface KeyEntry {
  readonly ko: KeyObject
  /** Preparations per algorithm object (weak: callers may pass fresh objects) … */
  readonly byObject: WeakMap<object, Prepared | null>
  /** … and per algorithm name string. */
  readonly byName: Map<string, Prepared | null>
}

const keys = new WeakMap<CryptoKey, KeyEntry>()
/** Keys node:crypto cannot use (a `base` provider's own, e.g. @peculiar/webcrypto's): left to `base`. */
const foreign = new WeakSet<object>()

/** The node:crypto view of `key`, or undefined when it is not a platform CryptoKey. */
function entryOf(key: CryptoKey): KeyEntry | undefined {
  let e = keys.get(key)
  if (e === undefined) {
    if (typeof key !== 'object' || key === null || foreign.has(key)) return undefined
    let ko: KeyObject
    try {
      ko = KeyObject.from(key)
    } catch {
      foreign.add(key)
      return undefined
    }
    e = { ko, byObject: new WeakMap(), byName: new Map() }
    keys.set(key, e)
  }
  return e
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

// Web Crypto takes an ArrayBuffer or a view and throws a TypeError for anything else (`new
// Uint8Array('abc')` would silently be empty: a signature over nothing, or `false` for a null one).
function toBytes(data: BufferSource): Uint8Array {
  if (data instanceof Uint8Array) return data
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]') return new Uint8Array(data)
  throw Object.assign(new TypeError('data and signature must be an ArrayBuffer or an ArrayBuffer view'), { code: 'ERR_INVALID_ARG_TYPE' })
}

function missingMember(name: string, member: string): never {
  throw Object.assign(new TypeError(`${name}: the algorithm needs "${member}"`), { code: 'ERR_MISSING_OPTION' })
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}

/** Node's signing options for a Web Crypto algorithm, or null when not accelerated (HMAC, unknown). */
function prepare(alg: AlgorithmLike, key: CryptoKey, ko: KeyObject): Prepared | null {
  const name = (typeof alg === 'string' ? alg : alg.name).toUpperCase()
  const keyAlg = key.algorithm as Algorithm & { hash?: Algorithm }
  // Web Crypto first reads the algorithm's required members (TypeError), then refuses a key of
  // another algorithm or without the usage (InvalidAccessError).
  const members: { hash?: string | Algorithm; saltLength?: number } = typeof alg === 'string' ? {} : alg
  if (name === 'ECDSA' && members.hash === undefined) missingMember(name, 'hash')
  if (name === 'RSA-PSS' && typeof members.saltLength !== 'number') missingMember(name, 'saltLength')
  const fits = keyAlg.name.toUpperCase() === name
  const verifyAllowed = fits && key.type === 'public' && key.usages.includes('verify')
  const signAllowed = fits && key.type === 'private' && key.usages.includes('sign')
  const refused: Prepared = { hash: null, options: {}, verifyAllowed: false, signAllowed: false }
  switch (name) {
    case 'ECDSA': {
      const hash = hashName(members.hash) // an unknown hash is NotSupportedError whatever the key
      return fits ? { hash, options: { key: ko, dsaEncoding: 'ieee-p1363' }, verifyAllowed, signAllowed } : refused
    }
    case 'ED25519':
      return fits ? { hash: null, options: { key: ko }, verifyAllowed, signAllowed } : refused
    case 'RSA-PSS':
      return fits ? { hash: hashName(keyAlg.hash), options: { key: ko, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: members.saltLength }, verifyAllowed, signAllowed } : refused
    case 'RSASSA-PKCS1-V1_5':
      return fits ? { hash: hashName(keyAlg.hash), options: { key: ko, padding: constants.RSA_PKCS1_PADDING }, verifyAllowed, signAllowed } : refused
    default:
      return null
  }
}

function prepared(alg: AlgorithmLike, key: CryptoKey): Prepared | null {
  const e = entryOf(key)
  if (e === undefined) return null
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

function invalidAccess(operation = 'verify'): never {
  throw new DOMException(`the key cannot be used to ${operation} with this algorithm`, 'InvalidAccessError')
}

/** The HMAC key for `operation`, refused as Web Crypto refuses it (another algorithm, no usage). */
function hmacKey(key: CryptoKey, ko: KeyObject, operation: 'sign' | 'verify'): KeyObject {
  if (key.algorithm.name !== 'HMAC' || key.type !== 'secret' || !key.usages.includes(operation)) invalidAccess(operation)
  return ko
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
        const native = entryOf(key)?.ko
        if (native === undefined) return subtle.verify(alg, key, signature, data)
        const sig = toBytes(signature)
        const bytes = toBytes(data)
        const ko = hmacKey(key, native, 'verify')
        const mac = createHmac(hashName((key.algorithm as HmacKeyAlgorithm).hash), ko).update(bytes).digest()
        return sig.length === mac.length && timingSafeEqual(mac, sig)
      }
      const ok = syncOperations.verify(alg as Algorithm, key, toBytes(signature), toBytes(data))
      return ok === undefined ? subtle.verify(alg, key, signature, data) : ok
    },
    async sign(alg: AlgorithmLike, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer> {
      const name = (typeof alg === 'string' ? alg : alg.name).toUpperCase()
      if (name === 'HMAC') {
        const native = entryOf(key)?.ko
        if (native === undefined) return subtle.sign(alg, key, data)
        const bytes = toBytes(data)
        const ko = hmacKey(key, native, 'sign')
        return toArrayBuffer(createHmac(hashName((key.algorithm as HmacKeyAlgorithm).hash), ko).update(bytes).digest())
      }
      const p = prepared(alg, key)
      if (p === null) return subtle.sign(alg, key, data)
      const bytes = toBytes(data)
      if (!p.signAllowed) invalidAccess('sign')
      return toArrayBuffer(nodeSign(p.hash, bytes, p.options as never))
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
