// Lazy loader for @peculiar/x509. It throws at import time unless a Reflect metadata polyfill is
// already installed, so reflect-metadata is imported first — and only here, only on first use.
// This is the one module of the package with side effects (package.json `sideEffects`): loading
// it installs `Reflect.metadata` globally. Nothing else may import either package.
import type * as X509 from '@peculiar/x509'

/** The @peculiar/x509 module namespace. */
export type X509Lib = typeof X509

let loading: Promise<X509Lib> | undefined

/** Loads reflect-metadata, then @peculiar/x509, once; later calls share the same promise. */
export function loadX509(): Promise<X509Lib> {
  loading ??= (async () => {
    await import('reflect-metadata')
    const lib = await import('@peculiar/x509')
    // Every call we make passes the caller's `crypto` explicitly; the default provider is only a
    // fallback for library code paths that do not take one.
    if (globalThis.crypto !== undefined && !lib.cryptoProvider.has(lib.CryptoProvider.DEFAULT)) lib.cryptoProvider.set(globalThis.crypto)
    return lib
  })().catch((err: unknown) => {
    loading = undefined
    throw err
  })
  return loading
}
