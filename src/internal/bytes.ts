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
  return joinChunks(parts, len)
}

/**
 * The chunks of a body read piece by piece, as one array of `total` bytes (their summed length).
 * A single chunk is returned as it is, not copied.
 */
export function joinChunks(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(total)
  let off = 0
  for (const c of chunks) {
    out.set(c, off)
    off += c.byteLength
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

// A shared scratch buffer for bytes consumed synchronously (decoded JSON text, data handed to a
// synchronous verify): a per-request Uint8Array over 64 bytes is an off-heap allocation, which on
// a verifying server costs more in cache misses than the copy itself. Never hand it to anything
// that may read it after returning (a promise-based API, a stored object).
const SCRATCH_MAX = 65_536
let scratch = new Uint8Array(4096)

/** A buffer of at least `n` bytes, shared: valid until the next call. Synchronous use only. */
export function scratchBuffer(n: number): Uint8Array {
  if (n <= scratch.length) return scratch
  if (n > SCRATCH_MAX) return new Uint8Array(n)
  scratch = new Uint8Array(Math.min(SCRATCH_MAX, Math.max(n, scratch.length * 2)))
  return scratch
}

// A second shared buffer for a signature handed to a synchronous verify next to scratch data: a
// fresh Uint8Array given to native code is moved off-heap first, a view of this one is not.
let signatureScratch = new Uint8Array(512)

/** A copy of `bytes` in a second shared buffer (see {@link scratchBuffer}). Synchronous use only. */
export function copyToSignatureScratch(bytes: Uint8Array): Uint8Array {
  if (bytes.length > signatureScratch.length) {
    if (bytes.length > SCRATCH_MAX) return bytes.slice()
    signatureScratch = new Uint8Array(bytes.length)
  }
  signatureScratch.set(bytes)
  return signatureScratch.subarray(0, bytes.length)
}

/** {@link utf8} into the shared scratch buffer (see {@link scratchBuffer}); a fresh array for non-ASCII input. */
export function utf8Scratch(input: string): Uint8Array {
  const buf = scratchBuffer(input.length)
  const { read, written } = encoder.encodeInto(input, buf)
  // Every code unit was written as one byte only if the input is ASCII.
  if (read !== input.length || written !== input.length) return encoder.encode(input)
  return buf.subarray(0, written)
}
