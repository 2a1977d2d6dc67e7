// One read-only view over the three message shapes (Fetch Request/Response, plain objects) and
// three header shapes (Headers, record, [name, value][]). Field names are looked up lower-cased;
// a record or pair array is indexed once, lazily, on the first lookup.
import { codedTypeError } from '../errors/index.js'
import { VerificationError } from '../errors/index.js'
import type { HTTPRequest, HTTPResponse, HeaderInput } from './types.js'

/** Field lines of one field section; `undefined` when the field is absent. */
export interface FieldSection {
  lines(name: string): readonly string[] | undefined
}

/**
 * The parts of a target URI the derived components read, with `URL`'s meaning (a `URL` is one).
 * A caller that already knows them from a serialised URL can pass a plain object and skip a parse.
 */
export interface URLParts {
  readonly protocol: string
  readonly host: string
  readonly pathname: string
  /** As `URL.search`: `''` both for no query and for an empty one (`…?`); `href` tells them apart. */
  readonly search: string
  readonly username: string
  readonly password: string
  /** The serialised URL (`URL.href`), when known: an empty query keeps its `?` there. */
  readonly href?: string
}

export interface MessageView {
  readonly kind: 'request' | 'response'
  readonly headers: FieldSection
  /** `null` when the message shape cannot carry trailers (Fetch objects). */
  readonly trailers: FieldSection | null
  readonly method: string | undefined
  readonly status: number | undefined
  /** Parsed target URI (requests only), created on first use. */
  url(): URLParts
  /** Raw request-target if the caller supplied one. */
  readonly requestTarget: string | undefined
  /** The related request of a response, when given. */
  readonly request: MessageView | undefined
}

function isHeaders(h: unknown): h is Headers {
  return typeof h === 'object' && h !== null && typeof (h as Headers).get === 'function' && typeof (h as Headers).has === 'function' && typeof (h as Headers).forEach === 'function'
}

class HeadersSection implements FieldSection {
  readonly h: Headers
  constructor(h: Headers) {
    this.h = h
  }
  lines(name: string): readonly string[] | undefined {
    if (name === 'set-cookie' && typeof this.h.getSetCookie === 'function') {
      const all = this.h.getSetCookie()
      return all.length === 0 ? undefined : all
    }
    const v = this.h.get(name)
    return v === null ? undefined : [v]
  }
}

class IndexedSection implements FieldSection {
  readonly src: Exclude<HeaderInput, Headers>
  map: Map<string, string[]> | undefined
  constructor(src: Exclude<HeaderInput, Headers>) {
    this.src = src
  }
  lines(name: string): readonly string[] | undefined {
    let map = this.map
    if (map === undefined) map = this.map = index(this.src)
    return map.get(name)
  }
}

function add(map: Map<string, string[]>, name: unknown, value: unknown): void {
  if (typeof name !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'header names must be strings')
  if (typeof value !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', `header "${name}" must have string values`)
  const k = name.toLowerCase()
  const list = map.get(k)
  if (list === undefined) map.set(k, [value])
  else list.push(value)
}

function index(src: Exclude<HeaderInput, Headers>): Map<string, string[]> {
  const map = new Map<string, string[]>()
  if (Array.isArray(src)) {
    for (const pair of src as ReadonlyArray<readonly [string, string]>) {
      if (!Array.isArray(pair) || pair.length !== 2) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'header pairs must be [name, value]')
      add(map, pair[0], pair[1])
    }
    return map
  }
  for (const name of Object.keys(src)) {
    const v = (src as Record<string, unknown>)[name]
    if (v === undefined) continue
    if (Array.isArray(v)) for (const line of v) add(map, name, line)
    else add(map, name, v)
  }
  return map
}

const EMPTY: FieldSection = { lines: () => undefined }

/** Wraps any supported header shape. */
export function fieldSection(h: HeaderInput | undefined | null): FieldSection {
  if (h === undefined || h === null) return EMPTY
  if (isHeaders(h)) return new HeadersSection(h)
  if (typeof h !== 'object') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'headers must be Headers, a record or an array of pairs')
  return new IndexedSection(h as Exclude<HeaderInput, Headers>)
}

function isFetchMessage(m: object): boolean {
  return typeof (m as Request).clone === 'function' && isHeaders((m as Request).headers)
}

/**
 * Internal: a field section over values the caller has already read (`read(name)` returns the
 * combined value, as `Headers.get`), falling back to `headers` for Set-Cookie's separate lines.
 */
export function readerSection(read: (name: string) => string | null, headers: Headers): FieldSection {
  const fallback = new HeadersSection(headers)
  return {
    lines(name: string): readonly string[] | undefined {
      if (name === 'set-cookie') return fallback.lines(name)
      const v = read(name)
      return v === null ? undefined : [v]
    },
  }
}

/**
 * A view of a request. Internal callers that have already parsed the request URL (exactly
 * `new URL(m.url)`) or read its fields pass them in `known`, so they are not read twice.
 */
export function requestView(m: HTTPRequest, known?: { url?: URLParts | undefined; headers?: FieldSection | undefined }): MessageView {
  if (typeof m !== 'object' || m === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'request must be a Request or { method, url, headers }')
  const method = m.method
  if (typeof method !== 'string' || method.length === 0) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'request.method must be a non-empty string')
  const rawUrl = m.url
  if (typeof rawUrl !== 'string' && !(rawUrl instanceof URL)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'request.url must be a string or URL')
  const fetchObject = isFetchMessage(m)
  const plain = m as { trailers?: HeaderInput; requestTarget?: unknown }
  const requestTarget = fetchObject ? undefined : plain.requestTarget
  if (requestTarget !== undefined && typeof requestTarget !== 'string') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'request.requestTarget must be a string')
  let parsed: URLParts | undefined = rawUrl instanceof URL ? rawUrl : known?.url
  return {
    kind: 'request',
    headers: known?.headers ?? fieldSection(m.headers),
    trailers: fetchObject ? null : plain.trailers === undefined ? null : fieldSection(plain.trailers),
    method,
    status: undefined,
    url(): URLParts {
      if (parsed === undefined) {
        try {
          parsed = new URL(rawUrl as string)
        } catch (cause) {
          throw new VerificationError('ERR_HTTPSIG_COMPONENT_INVALID', 'the request URL is not an absolute URL', { cause })
        }
      }
      return parsed
    },
    requestTarget,
    request: undefined,
  }
}

/** A view of a response, with its related request when given. */
export function responseView(m: HTTPResponse, request?: HTTPRequest): MessageView {
  if (typeof m !== 'object' || m === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'response must be a Response or { status, headers }')
  const status = m.status
  if (typeof status !== 'number' || !Number.isInteger(status)) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'response.status must be an integer')
  const fetchObject = isFetchMessage(m)
  const plain = m as { trailers?: HeaderInput }
  return {
    kind: 'response',
    headers: fieldSection(m.headers),
    trailers: fetchObject ? null : plain.trailers === undefined ? null : fieldSection(plain.trailers),
    method: undefined,
    status,
    url(): URLParts {
      throw new VerificationError('ERR_HTTPSIG_COMPONENT_INVALID', 'a response has no target URI')
    },
    requestTarget: undefined,
    request: request === undefined ? undefined : requestView(request),
  }
}

/** The combined value of a field (lines joined with ", "), or undefined. */
export function combinedField(section: FieldSection, name: string): string | undefined {
  const lines = section.lines(name)
  if (lines === undefined) return undefined
  return lines.length === 1 ? lines[0]! : lines.join(', ')
}
