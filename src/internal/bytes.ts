// Byte helpers on Uint8Array only (core is Web-platform only: no Buffer).
const encoder = new TextEncoder()
const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export function utf8(input: string): Uint8Array {
  return encoder.encode(input)
}

/** Strict UTF-8 decode: throws TypeError on invalid sequences (callers map it to a coded error). */
export function decodeUtf8Strict(input: Uint8Array): string {
  return fatalDecoder.decode(input)
}

/** ASCII bytes of a string that is known to be ASCII (tokens, signature bases). */
export function ascii(input: string): Uint8Array {
  // The native encoder is several times faster than a loop; its output has one byte per code unit
  // exactly when every code unit is ASCII (anything else takes 2–4 bytes), and then it is the same.
  const encoded = encoder.encode(input)
  if (encoded.length === input.length) return encoded
  const out = new Uint8Array(input.length)
  for (let i = 0; i < input.length; i++) out[i] = input.charCodeAt(i) & 0xff
  return out
}

export function isAscii(input: string): boolean {
  for (let i = 0; i < input.length; i++) if (input.charCodeAt(i) > 0x7f) return false
  return true
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let len = 0
  for (const p of parts) len += p.length
  const out = new Uint8Array(len)
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}

/** Constant-time comparison of two byte arrays (length is not secret). */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/** Constant-time comparison of two strings by their UTF-16 code units (length is not secret). */
export function timingSafeEqualString(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/** Web Crypto wants a BufferSource backed by an ArrayBuffer; this narrows Uint8Array<ArrayBufferLike>. */
export function bs(input: Uint8Array): Uint8Array<ArrayBuffer> {
  return input as Uint8Array<ArrayBuffer>
}
