// A minimal, strict DER reader (X.690 §10): single-byte tags, definite minimal lengths, bounds
// checked against the enclosing element. It only walks structure; @peculiar/x509 does the full
// certificate parse. Errors are DERError (callers map them to a coded error with their context).

export class DERError extends Error {}

/** One element: `tag` byte, and the content at `bytes[start, end)`; `offset` is where the header begins. */
export interface TLV {
  readonly tag: number
  readonly offset: number
  readonly start: number
  readonly end: number
}

export const TAG_BOOLEAN = 0x01
export const TAG_INTEGER = 0x02
export const TAG_BIT_STRING = 0x03
export const TAG_OCTET_STRING = 0x04
export const TAG_OID = 0x06
export const TAG_SEQUENCE = 0x30

/** Reads the element at `offset`, which must end at or before `limit`. */
export function readTLV(bytes: Uint8Array, offset: number, limit: number = bytes.length): TLV {
  if (offset + 2 > limit) throw new DERError('truncated element')
  const tag = bytes[offset]!
  // High tag numbers (0x1f) never occur in the X.509 structures we walk.
  if ((tag & 0x1f) === 0x1f) throw new DERError('multi-byte tag')
  let len = bytes[offset + 1]!
  let start = offset + 2
  if (len & 0x80) {
    const n = len & 0x7f
    // 0x80 is BER indefinite length; more than 4 length bytes cannot fit our size limits.
    if (n === 0 || n > 4) throw new DERError('unsupported length form')
    if (start + n > limit) throw new DERError('truncated length')
    if (bytes[start] === 0) throw new DERError('non-minimal length')
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + bytes[start + i]!
    if (len < 0x80) throw new DERError('non-minimal length')
    start += n
  }
  const end = start + len
  if (end > limit) throw new DERError('element overruns its container')
  return { tag, offset, start, end }
}

/** Reads an element and checks its tag. */
export function expectTLV(bytes: Uint8Array, offset: number, limit: number, tag: number, what: string): TLV {
  const tlv = readTLV(bytes, offset, limit)
  if (tlv.tag !== tag) throw new DERError(`${what}: unexpected tag 0x${tlv.tag.toString(16)}`)
  return tlv
}

/** The elements inside a constructed element, in order, covering its content exactly. */
export function children(bytes: Uint8Array, parent: TLV): TLV[] {
  const out: TLV[] = []
  let off = parent.start
  while (off < parent.end) {
    const tlv = readTLV(bytes, off, parent.end)
    out.push(tlv)
    off = tlv.end
  }
  return out
}

/** Splits concatenated DER elements (each must be a SEQUENCE) covering `bytes` exactly. */
export function splitSequences(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = []
  let off = 0
  while (off < bytes.length) {
    const tlv = expectTLV(bytes, off, bytes.length, TAG_SEQUENCE, 'certificate')
    out.push(bytes.subarray(off, tlv.end))
    off = tlv.end
  }
  return out
}

/** The bytes of an element including its header (for byte-exact comparison of names, algorithms). */
export function rawOf(bytes: Uint8Array, tlv: TLV): Uint8Array {
  return bytes.subarray(tlv.offset, tlv.end)
}

export function contentOf(bytes: Uint8Array, tlv: TLV): Uint8Array {
  return bytes.subarray(tlv.start, tlv.end)
}

/** Lower-case hex of bytes (for OID keys and messages). */
export function hex(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return s
}

/** Dotted form of OID content bytes (for error messages only). */
export function oidToString(content: Uint8Array): string {
  if (content.length === 0) return ''
  const parts: number[] = []
  let value = 0
  for (const b of content) {
    value = value * 128 + (b & 0x7f)
    if ((b & 0x80) === 0) {
      parts.push(value)
      value = 0
    }
  }
  const first = parts.shift() ?? 0
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80]
  return [...head, ...parts].join('.')
}

/** DER BOOLEAN content: exactly one byte, 0x00 or 0xff. */
export function readBoolean(bytes: Uint8Array, tlv: TLV): boolean {
  if (tlv.end - tlv.start !== 1) throw new DERError('BOOLEAN must be one byte')
  const v = bytes[tlv.start]!
  if (v !== 0x00 && v !== 0xff) throw new DERError('BOOLEAN must be 0x00 or 0xff')
  return v === 0xff
}

/** A small non-negative INTEGER (path lengths); minimal encoding required. */
export function readSmallUnsigned(bytes: Uint8Array, tlv: TLV): number {
  const n = tlv.end - tlv.start
  if (n === 0 || n > 4) throw new DERError('INTEGER out of range')
  const first = bytes[tlv.start]!
  if (first & 0x80) throw new DERError('negative INTEGER')
  if (n > 1 && first === 0 && (bytes[tlv.start + 1]! & 0x80) === 0) throw new DERError('non-minimal INTEGER')
  let v = 0
  for (let i = tlv.start; i < tlv.end; i++) v = v * 256 + bytes[i]!
  return v
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
