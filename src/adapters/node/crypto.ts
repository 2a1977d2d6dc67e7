// A Web Crypto object whose hot operations (verify, sign, digest) run synchronously on node:crypto.
// Web Crypto on Node hops to the libuv thread pool for every call, which costs ~30% of an ECDSA
// verification and ~13× a small SHA-256 (docs/benchmarks.md). Keys stay real CryptoKeys (imported
// by the platform's subtle), so everything else — importKey, exportKey, generateKey — is delegated
// unchanged and the object can be passed wherever agentauth takes `crypto?: Crypto`.
import { KeyObject, constants, createHash, createHmac, sign as nodeSign, timingSafeEqual, verify as nodeVerify } from 'node:crypto'

type AlgorithmLike = string | (Algorithm & { hash?: string | Algorithm; saltLength?: number })

const keyObjects = new WeakMap<CryptoKey, KeyObject>()

function keyObject(key: CryptoKey): KeyObject {
  let ko = keyObjects.get(key)
  if (ko === undefined) {
    ko = KeyObject.from(key)
    keyObjects.set(key, ko)
  }
  return ko
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

/** Node's signing options for a Web Crypto algorithm, or undefined when not accelerated. */
function nodeParams(alg: AlgorithmLike, key: CryptoKey): { hash: string | null; opts: Record<string, unknown> } | undefined {
  const name = (typeof alg === 'string' ? alg : alg.name).toUpperCase()
  const keyAlg = key.algorithm as Algorithm & { hash?: Algorithm }
  switch (name) {
    case 'ECDSA':
      return { hash: hashName(typeof alg === 'string' ? undefined : alg.hash), opts: { dsaEncoding: 'ieee-p1363' } }
    case 'ED25519':
      return { hash: null, opts: {} }
    case 'RSA-PSS':
      return { hash: hashName(keyAlg.hash), opts: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: typeof alg === 'string' ? 0 : alg.saltLength ?? 0 } }
    case 'RSASSA-PKCS1-V1_5':
      return { hash: hashName(keyAlg.hash), opts: { padding: constants.RSA_PKCS1_PADDING } }
    default:
      return undefined
  }
}

/**
 * Returns a `Crypto` object for Node that runs signature verification, signing and digests
 * synchronously on `node:crypto` (no thread-pool hop) and delegates everything else to
 * `globalThis.crypto`. Pass it as the `crypto` option of any agentauth verifier or signer.
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
      const p = nodeParams(alg, key)
      if (p === undefined) return subtle.verify(alg, key, signature, data)
      return nodeVerify(p.hash, toBytes(data), { key: keyObject(key), ...p.opts } as never, toBytes(signature))
    },
    async sign(alg: AlgorithmLike, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer> {
      const name = (typeof alg === 'string' ? alg : alg.name).toUpperCase()
      if (name === 'HMAC') {
        return toArrayBuffer(createHmac(hashName((key.algorithm as HmacKeyAlgorithm).hash), keyObject(key)).update(toBytes(data)).digest())
      }
      const p = nodeParams(alg, key)
      if (p === undefined) return subtle.sign(alg, key, data)
      return toArrayBuffer(nodeSign(p.hash, toBytes(data), { key: keyObject(key), ...p.opts } as never))
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
  } as Crypto
}
