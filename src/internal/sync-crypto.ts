// Optional synchronous crypto. A `Crypto` object handed to agentauth may carry, under the
// well-known symbol below, synchronous `verify` and `digest` with the Web Crypto contract
// (`nodeCrypto()` from agentauth/adapters/node does, on node:crypto). Hot paths use them to skip
// the promise, the thread-pool hop and the ArrayBuffer copy Web Crypto costs per call; any other
// provider — the platform's own `crypto` included — goes through `crypto.subtle` unchanged.
// The core stays Web-platform only: this file only looks for an optional property.

/** Symbol under which a `Crypto` object may expose {@link SyncCryptoOperations}. */
export const SYNC_CRYPTO: unique symbol = Symbol.for('agentauth.crypto.sync') as never

/**
 * Synchronous twins of `crypto.subtle.verify` / `crypto.subtle.digest`. They must consume their
 * arguments before returning and never keep them: callers may pass a shared scratch buffer. A
 * `verify` given scratch data that answers anything but a boolean or `undefined` (a promise) fails
 * the verification: it could read the buffers after another token has been written into them.
 */
export interface SyncCryptoOperations {
  /**
   * Verifies like `subtle.verify` (throws where it would reject); returns `undefined` when this
   * algorithm is not handled synchronously (the caller then uses `subtle.verify`).
   */
  verify(algorithm: Algorithm | EcdsaParams | RsaPssParams, key: CryptoKey, signature: Uint8Array, data: Uint8Array): boolean | undefined
  /** Digests like `subtle.digest` (SHA-256/384/512); `undefined` when not handled. */
  digest(algorithm: 'SHA-256' | 'SHA-384' | 'SHA-512', data: Uint8Array): Uint8Array | undefined
}

/** The synchronous operations of `crypto`, if it has them. */
export function syncOperations(crypto: Crypto): SyncCryptoOperations | undefined {
  return (crypto as { [SYNC_CRYPTO]?: SyncCryptoOperations })[SYNC_CRYPTO]
}

/** `subtle.verify`, synchronously when the provider allows it. Rejects/throws as `subtle.verify` does. */
export function verifySignature(crypto: Crypto, algorithm: Algorithm | EcdsaParams | RsaPssParams, key: CryptoKey, signature: Uint8Array, data: Uint8Array): boolean | Promise<boolean> {
  const sync = syncOperations(crypto)
  if (sync !== undefined) {
    const ok = sync.verify(algorithm, key, signature, data)
    if (ok !== undefined) return ok
  }
  return crypto.subtle.verify(algorithm, key, signature as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>)
}

/** SHA-256 of `data`, synchronously when the provider allows it. */
export function sha256(crypto: Crypto, data: Uint8Array): Uint8Array | Promise<Uint8Array> {
  const sync = syncOperations(crypto)
  if (sync !== undefined) {
    const out = sync.digest('SHA-256', data)
    if (out !== undefined) return out
  }
  return crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>).then((d) => new Uint8Array(d))
}
