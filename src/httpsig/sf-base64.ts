// Base64 for RFC 8941 Byte Sequences: the canonical encoder and strict decoder used for every
// member we interpret, and the forgiving decoder (§4.2.7) for members of other parties.

/** Standard base64 with padding (RFC 4648 §4), as Byte Sequences use. */
export function encodeBase64(bytes: Uint8Array): string {
  let bin = ''
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]!)
  return btoa(bin)
}

const B64_VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < 64; i++) B64_VALUE['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i

const FORGIVING_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Base64 with optional padding and any pad bits (RFC 8941 §4.2.7's leniency), or undefined. */
export function decodeBase64Forgiving(b64: string): Uint8Array | undefined {
  if (!FORGIVING_BASE64.test(b64)) return undefined
  const body = b64.replace(/=+$/, '')
  if (body.length % 4 === 1 || (b64.length !== body.length && b64.length % 4 !== 0)) return undefined
  const binary = atob(body) // WHATWG forgiving-base64: no padding needed, pad bits discarded
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}

/**
 * Decodes canonical padded base64: length a multiple of 4, correct padding, zero trailing bits.
 * Returns undefined for anything else. Table-driven (no atob: Node 20's searches the alphabet per
 * character).
 */
export function decodeBase64Strict(b64: string): Uint8Array | undefined {
  const n = b64.length
  if (n % 4 !== 0) return undefined
  const pad = n === 0 ? 0 : b64.charCodeAt(n - 1) !== 61 ? 0 : b64.charCodeAt(n - 2) === 61 ? 2 : 1
  const full = pad === 0 ? n : n - 4
  const out = new Uint8Array((n / 4) * 3 - pad)
  let high = 0
  let neg = 0
  let o = 0
  for (let i = 0; i < full; i += 4) {
    const c0 = b64.charCodeAt(i)
    const c1 = b64.charCodeAt(i + 1)
    const c2 = b64.charCodeAt(i + 2)
    const c3 = b64.charCodeAt(i + 3)
    high |= c0 | c1 | c2 | c3
    const v = (B64_VALUE[c0 & 127]! << 18) | (B64_VALUE[c1 & 127]! << 12) | (B64_VALUE[c2 & 127]! << 6) | B64_VALUE[c3 & 127]!
    neg |= v
    out[o] = v >> 16
    out[o + 1] = v >> 8
    out[o + 2] = v
    o += 3
  }
  if (pad !== 0) {
    const c0 = b64.charCodeAt(full)
    const c1 = b64.charCodeAt(full + 1)
    high |= c0 | c1
    if (pad === 2) {
      const v = (B64_VALUE[c0 & 127]! << 6) | B64_VALUE[c1 & 127]!
      neg |= v
      // Non-zero trailing bits decode to the same bytes as the canonical form: refuse them.
      if ((v & 0x0f) !== 0) return undefined
      out[o] = v >> 4
    } else {
      const c2 = b64.charCodeAt(full + 2)
      high |= c2
      const v = (B64_VALUE[c0 & 127]! << 12) | (B64_VALUE[c1 & 127]! << 6) | B64_VALUE[c2 & 127]!
      neg |= v
      if ((v & 0x03) !== 0) return undefined
      out[o] = v >> 10
      out[o + 1] = v >> 2
    }
  }
  if (high > 127 || neg < 0) return undefined
  return out
}
