// The three undici header forms ↔ one list of field lines, and a bounded drain of any body undici
// accepts (string, bytes, iterable, async iterable / Readable, undici.fetch's generator).
import { codedTypeError, VerificationError } from '../../errors/index.js'
import { joinChunks } from '../../internal/bytes.js'

type HeaderValue = string | readonly string[] | number | undefined | null

/** Field lines in order, duplicates kept. */
export type FieldLines = Array<[string, string]>

/** A header value as text; an object that cannot be printed is the caller's error, coded. */
function text(value: unknown): string {
  try {
    return String(value)
  } catch (cause) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'header values must be printable', cause)
  }
}

function push(out: FieldLines, name: unknown, value: HeaderValue): void {
  if (typeof name !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'header names must be strings')
  if (value === undefined || value === null) return
  if (Array.isArray(value)) for (const v of value) out.push([name, text(v)])
  else out.push([name, text(value)])
}

/** One `[name, value]` pair of an iterable; anything else is refused (coded). */
function pushPair(out: FieldLines, pair: unknown): void {
  if (typeof pair !== 'object' || pair === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'header pairs must be [name, value] arrays')
  const entry = pair as Record<number, unknown>
  push(out, entry[0], entry[1] as HeaderValue)
}

/** Normalises `Record<name, value | value[]>`, a flat `[name, value, …]` array, or an iterable of `[name, value]` pairs. */
export function fieldLines(headers: unknown): FieldLines {
  const out: FieldLines = []
  if (headers === undefined || headers === null) return out
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const pair of headers as unknown[]) pushPair(out, pair)
    } else {
      if (headers.length % 2 !== 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'a flat header array must hold name/value pairs')
      for (let i = 0; i < headers.length; i += 2) push(out, headers[i], headers[i + 1] as HeaderValue)
    }
    return out
  }
  if (typeof headers !== 'object') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'headers must be an object, an array or an iterable')
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const pair of headers as Iterable<unknown>) pushPair(out, pair)
    return out
  }
  for (const [name, value] of Object.entries(headers as Record<string, HeaderValue>)) push(out, name, value)
  return out
}

/** Replaces every line named in `added` (case-insensitively) by the added values; returns a flat array. */
export function mergeFieldLines(lines: FieldLines, added: Headers): string[] {
  const replaced = new Set<string>()
  for (const [name] of added) replaced.add(name)
  const flat: string[] = []
  for (const [name, value] of lines) if (!replaced.has(name.toLowerCase())) flat.push(name, value)
  for (const [name, value] of added) flat.push(name, value)
  return flat
}

function tooLarge(max: number): never {
  throw new VerificationError('ERR_BODY_TOO_LARGE', `the request body exceeds ${max} bytes`, { status: 413 })
}

function bytesOf(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk
  if (typeof chunk === 'string') return new TextEncoder().encode(chunk)
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk)
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  throw codedTypeError('ERR_INVALID_ARG_TYPE', 'request body chunks must be strings or bytes')
}

/** Reads a dispatch body into one `Uint8Array`, refusing more than `max` bytes (iteration stops at the limit). */
export async function drainBody(body: unknown, max: number): Promise<Uint8Array> {
  if (typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer) {
    const bytes = bytesOf(body)
    if (bytes.length > max) tooLarge(max)
    return bytes
  }
  const iterable = body as Partial<AsyncIterable<unknown> & Iterable<unknown>> | null
  const isAsync = typeof iterable?.[Symbol.asyncIterator] === 'function'
  if (!isAsync && (typeof iterable?.[Symbol.iterator] !== 'function')) {
    throw codedTypeError('ERR_INVALID_ARG_TYPE', 'the request body must be a string, bytes, an iterable or a stream to be digested (FormData is not supported)')
  }
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of iterable as AsyncIterable<unknown>) {
    const bytes = bytesOf(chunk)
    total += bytes.length
    if (total > max) tooLarge(max) // leaving the loop returns (closes) the iterator
    chunks.push(bytes)
  }
  return joinChunks(chunks, total)
}

/** A query value as text; an object that cannot be printed is the caller's error, coded. */
function queryValue(value: unknown): string {
  try {
    return String(value)
  } catch (cause) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'query values must be printable', cause)
  }
}

/**
 * Folds undici's `query` option into the path, so the proof covers exactly what is sent. A path
 * that is not a string and a query that is not an object are refused (coded), as undici refuses them.
 */
export function pathWithQuery(path: unknown, query: unknown): string {
  if (typeof path !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'the request path must be a string')
  if (query === undefined || query === null) return path
  if (typeof query !== 'object' || Array.isArray(query)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'the request query must be an object')
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) for (const v of value) params.append(key, queryValue(v))
    else if (value !== undefined && value !== null) params.append(key, queryValue(value))
  }
  const search = params.toString()
  if (search === '') return path
  return path + (path.includes('?') ? '&' : '?') + search
}
