// A Web Crypto provider that answers one `subtle` method with a fixed value (garbage, say) and
// passes every other call to the platform's: for tests of how callers treat a misbehaving provider.
export function providerAnswering(method: keyof SubtleCrypto, answer: unknown): Crypto {
  const real = globalThis.crypto
  const subtle = new Proxy(real.subtle, {
    get(target, prop) {
      if (prop === method) return () => Promise.resolve(answer)
      const v = Reflect.get(target, prop, target) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  })
  return { subtle, getRandomValues: real.getRandomValues.bind(real) } as unknown as Crypto
}
