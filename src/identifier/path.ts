// Path scanners for the two rule sets. Internal. Both take the offset of the first path byte
// (which must be `/` unless the path is empty) and throw the code of the first broken rule.
import { classOf, identifierError, pathByteCode, PCHAR_WIMSE, SEG_SPIFFE, UNRESERVED } from './scan.js'

const SLASH = 0x2f
const DOT = 0x2e
const PERCENT = 0x25

// A segment runs from the `/` at `slash` (exclusive) to `end`. SPIFFE-ID §2.2 and our WIMSE rules
// both forbid `.` and `..`; only SPIFFE forbids empty segments and a trailing slash.
function isDotSegment(value: string, slash: number, end: number): boolean {
  const len = end - slash - 1
  if (len === 1) return value.charCodeAt(slash + 1) === DOT
  return len === 2 && value.charCodeAt(slash + 1) === DOT && value.charCodeAt(slash + 2) === DOT
}

/**
 * SPIFFE-ID §2.2: segments of `[A-Za-z0-9._-]`, none empty, none `.`/`..`, no trailing `/`,
 * no percent-encoding.
 */
export function scanSpiffePath(value: string, start: number): void {
  const n = value.length
  if (start === n) return
  if (value.charCodeAt(start) !== SLASH) throw identifierError('ERR_IDENTIFIER_PATH_RELATIVE', start)
  let slash = start
  for (let i = start + 1; i < n; i++) {
    const c = value.charCodeAt(i)
    if (c === SLASH) {
      if (i === slash + 1) throw identifierError('ERR_IDENTIFIER_EMPTY_SEGMENT', i)
      if (isDotSegment(value, slash, i)) throw identifierError('ERR_IDENTIFIER_DOT_SEGMENT', slash + 1)
      slash = i
    } else if ((classOf(c) & SEG_SPIFFE) === 0) {
      throw identifierError(pathByteCode(c), i)
    }
  }
  if (slash === n - 1) throw identifierError('ERR_IDENTIFIER_TRAILING_SLASH', slash)
  if (isDotSegment(value, slash, n)) throw identifierError('ERR_IDENTIFIER_DOT_SEGMENT', slash + 1)
}

function hexValue(c: number): number {
  // Upper-case hex only: RFC 3986 §2.1 / §6.2.2.1 make %2f and %2F equivalent, so only one
  // spelling is accepted and byte-exact comparison stays sound.
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  return -1
}

/**
 * WIMSE generic path (RFC 3986 §3.3 path-abempty): pchar bytes and `/`; percent-encoding only as
 * `%HH` with upper-case hex that does not encode an unreserved byte (RFC 3986 §6.2.2.2 would
 * decode it); no `.`/`..` segments (RFC 3986 §5.2.4 would remove them). Empty segments and a
 * trailing `/` are allowed: normalisation never rewrites them.
 */
export function scanWimsePath(value: string, start: number): void {
  const n = value.length
  if (start === n) return
  if (value.charCodeAt(start) !== SLASH) throw identifierError('ERR_IDENTIFIER_PATH_RELATIVE', start)
  let slash = start
  for (let i = start + 1; i < n; i++) {
    const c = value.charCodeAt(i)
    if (c === SLASH) {
      if (isDotSegment(value, slash, i)) throw identifierError('ERR_IDENTIFIER_DOT_SEGMENT', slash + 1)
      slash = i
    } else if (c === PERCENT) {
      const hi = i + 1 < n ? hexValue(value.charCodeAt(i + 1)) : -1
      const lo = i + 2 < n ? hexValue(value.charCodeAt(i + 2)) : -1
      if (hi < 0 || lo < 0 || (classOf(hi * 16 + lo) & UNRESERVED) !== 0) {
        throw identifierError('ERR_IDENTIFIER_PERCENT_ENCODING', i)
      }
      i += 2
    } else if ((classOf(c) & PCHAR_WIMSE) === 0) {
      throw identifierError(pathByteCode(c), i)
    }
  }
  if (isDotSegment(value, slash, n)) throw identifierError('ERR_IDENTIFIER_DOT_SEGMENT', slash + 1)
}
