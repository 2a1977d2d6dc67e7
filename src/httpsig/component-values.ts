// Component values (RFC 9421 §2.1, §2.2, §2.4): HTTP fields with sf / key / bs / tr / req, and the
// derived components. Every failure is a VerificationError: COMPONENT_MISSING when the message
// lacks what is covered, COMPONENT_INVALID when it cannot be serialised.
import { VerificationError } from '../errors/index.js'
import type { Component } from './components.js'
import type { FieldSection, MessageView, URLParts } from './message.js'
import { encodeBase64, parseDictionaryStrict, parseItemStrict, parseListStrict, serialiseListText, serialiseDictionaryText } from './structured-fields.js'
import type { StructuredFieldType } from './types.js'

/**
 * Structured fields this library knows the type of (for `;sf`).
 *
 * @example
 * ```ts
 * import { KNOWN_STRUCTURED_FIELDS } from 'agentauth/httpsig'
 * KNOWN_STRUCTURED_FIELDS['content-digest'] // 'dictionary'
 * ```
 */
export const KNOWN_STRUCTURED_FIELDS: Readonly<Record<string, StructuredFieldType>> = Object.freeze({
  'signature-input': 'dictionary', // RFC 9421
  'signature': 'dictionary',
  'accept-signature': 'dictionary',
  'content-digest': 'dictionary', // RFC 9530
  'repr-digest': 'dictionary',
  'want-content-digest': 'dictionary',
  'want-repr-digest': 'dictionary',
  'priority': 'dictionary', // RFC 9218
  'cdn-cache-control': 'dictionary', // RFC 9213
  'proxy-status': 'list', // RFC 9209
  'cache-status': 'list', // RFC 9211
  'accept-ch': 'list', // RFC 8942
  'client-cert': 'item', // RFC 9440
  'client-cert-chain': 'list',
})

export interface ValueContext {
  readonly structuredFields: Readonly<Record<string, StructuredFieldType>> | undefined
}

function missing(message: string): never {
  throw new VerificationError('ERR_HTTPSIG_COMPONENT_MISSING', message)
}
function invalid(message: string): never {
  throw new VerificationError('ERR_HTTPSIG_COMPONENT_INVALID', message)
}

// Field-content after canonicalisation: VCHAR, SP, HTAB (obs-text refused: the base is US-ASCII).
const FIELD_OK = /^[\t\x20-\x7e]*$/
const FIELD_OK_BS = /^[\t\x20-\x7e\x80-\xff]*$/
// Derived values: printable characters and spaces only (§2.2).
const DERIVED_OK = /^[\x20-\x7e]*$/
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

function isOWS(c: number): boolean {
  return c === 32 || c === 9
}

/**
 * Replaces each obs-fold (OWS [CR] LF RWS, RFC 9112 §5.2) with one space, by index scanning: the
 * equivalent regular expression backtracks quadratically over long runs of whitespace, and field
 * values are attacker-controlled (a 32 KB value cost seconds of CPU before the signature was checked).
 */
function unfold(v: string): string {
  let out = ''
  let from = 0
  let lf = v.indexOf('\n')
  while (lf !== -1) {
    let end = lf + 1
    while (end < v.length && isOWS(v.charCodeAt(end))) end++
    if (end === lf + 1) {
      lf = v.indexOf('\n', end) // a bare line break stays (and is refused as a value character)
      continue
    }
    let start = lf
    if (start > from && v.charCodeAt(start - 1) === 13 /* CR */) start--
    while (start > from && isOWS(v.charCodeAt(start - 1))) start--
    out += v.slice(from, start) + ' '
    from = end
    lf = v.indexOf('\n', end)
  }
  return from === 0 ? v : out + v.slice(from)
}

/** Strips leading and trailing SP / HTAB (linear: see {@link unfold}). */
function trimOWS(v: string): string {
  let start = 0
  let end = v.length
  while (start < end && isOWS(v.charCodeAt(start))) start++
  while (end > start && isOWS(v.charCodeAt(end - 1))) end--
  return start === 0 && end === v.length ? v : v.slice(start, end)
}

function canonicalLine(line: string, bs: boolean, id: string): string {
  let v = line
  if (v.includes('\n')) v = unfold(v)
  if (v.length > 0 && (isOWS(v.charCodeAt(0)) || isOWS(v.charCodeAt(v.length - 1)))) v = trimOWS(v)
  if (!(bs ? FIELD_OK_BS : FIELD_OK).test(v)) invalid(`${id} has a value with characters not allowed in a signature base`)
  return v
}

/**
 * Parses of structured fields made while building one signature base, by field and form: each
 * `"<field>";key="…"` component (up to 64 per signature) would otherwise parse the whole field again.
 */
export type StructuredMemo = Map<string, unknown>

/** Members parsed from one covered structured field at most (a real one has a handful). */
const MAX_STRUCTURED_MEMBERS = 1024

function memoised<T>(memo: StructuredMemo | undefined, key: string, parse: () => T): T {
  if (memo === undefined) return parse()
  if (memo.has(key)) return memo.get(key) as T
  const value = parse()
  memo.set(key, value)
  return value
}

/**
 * The declared or known structured type of a field. Own properties only: `constructor` and
 * `__proto__` are valid field names, and must not find Object.prototype's members.
 */
function structuredType(ctx: ValueContext, name: string): StructuredFieldType | undefined {
  const declared = ctx.structuredFields
  if (declared !== undefined && Object.hasOwn(declared, name)) return declared[name]
  return Object.hasOwn(KNOWN_STRUCTURED_FIELDS, name) ? KNOWN_STRUCTURED_FIELDS[name] : undefined
}

function fieldValue(section: FieldSection, c: Component, ctx: ValueContext, memo: StructuredMemo | undefined, where: string): string {
  const raw = section.lines(c.name)
  if (raw === undefined) return missing(`covered field ${c.id} is absent`)
  const lines = raw.map((l) => canonicalLine(l, c.bs, c.id))
  if (c.bs) {
    let out = ''
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!
      const bytes = new Uint8Array(l.length)
      for (let j = 0; j < l.length; j++) bytes[j] = l.charCodeAt(j)
      out += (i === 0 ? ':' : ', :') + encodeBase64(bytes) + ':'
    }
    return out
  }
  const combined = lines.length === 1 ? lines[0]! : lines.join(', ')
  if (c.key !== undefined) {
    const declared = structuredType(ctx, c.name)
    if (declared !== undefined && declared !== 'dictionary') invalid(`${c.id}: "${c.name}" is not a Dictionary field`)
    const dict = memoised(memo, `${where}key:${c.name}`, () => parseDictionaryStrict(combined, { code: 'ERR_HTTPSIG_COMPONENT_INVALID', what: `field ${c.name}`, rfc9651: true, rejectDuplicates: false, lenientBase64: true, maxMembers: MAX_STRUCTURED_MEMBERS }))
    const member = dict.find((m) => m[0] === c.key)
    if (member === undefined) return missing(`${c.id}: the dictionary has no member "${c.key}"`)
    return member[1].text
  }
  if (c.sf) {
    const type = structuredType(ctx, c.name)
    if (type === undefined) invalid(`${c.id}: the structured type of "${c.name}" is not known (declare it in structuredFields)`)
    const opts = { code: 'ERR_HTTPSIG_COMPONENT_INVALID' as const, what: `field ${c.name}`, rfc9651: true, rejectDuplicates: false, lenientBase64: true, maxMembers: MAX_STRUCTURED_MEMBERS }
    return memoised(memo, `${where}sf:${c.name}`, () => {
      if (type === 'dictionary') return serialiseDictionaryText(parseDictionaryStrict(combined, opts))
      if (type === 'list') return serialiseListText(parseListStrict(combined, opts))
      return parseItemStrict(combined, opts).text
    })
  }
  return combined
}

/** The value of one covered component for the given message. */
export function componentValue(view: MessageView, c: Component, ctx: ValueContext, memo?: StructuredMemo): string {
  let target = view
  if (c.req) {
    if (view.kind === 'request') invalid(`${c.id}: "req" is only allowed in response signatures`)
    if (view.request === undefined) missing(`${c.id}: the related request is not available`)
    target = view.request!
  }
  if (c.name.charCodeAt(0) !== 64) {
    if (c.tr) {
      if (target.trailers === null) missing(`${c.id}: trailers are not available for this message`)
      return fieldValue(target.trailers!, c, ctx, memo, c.req ? 'req-tr:' : 'tr:')
    }
    return fieldValue(target.headers, c, ctx, memo, c.req ? 'req:' : '')
  }
  if (c.name === '@status') {
    if (target.kind !== 'response') invalid('"@status" applies to responses only')
    const s = target.status!
    if (s < 100 || s > 999) invalid('"@status" is not a three-digit status code')
    return String(s)
  }
  if (target.kind !== 'request') invalid(`${c.id} applies to requests (use ;req in a response signature)`)
  const v = derivedRequestValue(target, c)
  if (!DERIVED_OK.test(v)) invalid(`${c.id} has characters not allowed in a signature base`)
  return v
}

const ABSOLUTE = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//

/**
 * Where path and query start in a request-target given as on the request line: origin-form
 * (`/p?q`) or absolute-form (`https://h/p?q`); -1 for asterisk- and authority-form, which carry
 * neither (their @path / @query come from the URL).
 */
function rawPathStart(t: string): number {
  if (t.charCodeAt(0) === 47 /* / */) return 0
  const scheme = ABSOLUTE.exec(t)
  if (scheme === null) return -1
  for (let i = scheme[0].length; i < t.length; i++) {
    const c = t.charCodeAt(i)
    if (c === 47 || c === 63 /* ? */) return i
  }
  return t.length
}

/**
 * Path and query (with its `?`, or undefined when absent) of the request-target the caller gave:
 * RFC 9421 §2.2.6 / §2.2.7 take them as received (RFC 3986 §6.2.1 simple string comparison), where
 * the WHATWG URL would percent-encode (`'` becomes `%27` in a query). Undefined without one.
 */
function rawParts(m: MessageView): { readonly path: string; readonly query: string | undefined } | undefined {
  const t = m.requestTarget
  if (t === undefined) return undefined
  const start = rawPathStart(t)
  if (start === -1) return undefined
  const q = t.indexOf('?', start)
  const path = q === -1 ? t.slice(start) : t.slice(start, q)
  return { path: path === '' ? '/' : path, query: q === -1 ? undefined : t.slice(q) }
}

function derivedRequestValue(m: MessageView, c: Component): string {
  switch (c.name) {
    case '@method': {
      const method = m.method!
      if (!TOKEN.test(method)) invalid('"@method" is not a token')
      return method
    }
    case '@target-uri': {
      const t = m.requestTarget
      if (t !== undefined && ABSOLUTE.test(t)) return t
      const u = m.url()
      if (u.username !== '' || u.password !== '') invalid('"@target-uri" must not carry userinfo')
      if (t !== undefined && t.charCodeAt(0) === 47 /* origin-form */) return u.protocol + '//' + u.host + t
      return u.protocol + '//' + u.host + pathOf(u) + searchOf(u)
    }
    case '@authority': {
      const host = m.url().host
      if (host === '') invalid('the target URI has no authority')
      return host
    }
    case '@scheme':
      return m.url().protocol.slice(0, -1)
    case '@request-target':
      if (m.requestTarget !== undefined) return m.requestTarget
      return pathOf(m.url()) + searchOf(m.url())
    case '@path': {
      const raw = rawParts(m)
      return raw !== undefined ? raw.path : pathOf(m.url())
    }
    case '@query': {
      const raw = rawParts(m)
      const s = raw !== undefined ? raw.query ?? '' : m.url().search
      return s === '' ? '?' : s
    }
    case '@query-param': {
      const raw = rawParts(m)
      return queryParam(raw !== undefined ? raw.query ?? '' : m.url().search, c.qname!, c.id)
    }
    default:
      return invalid(`unknown derived component ${c.name}`)
  }
}

function pathOf(u: URLParts): string {
  return u.pathname === '' ? '/' : u.pathname
}

/**
 * The query as received, with its `?`: `URL.search` drops the `?` of an empty query (`/p?`), which
 * RFC 9421 §2.2.2 / §2.2.5 keep (the target URI as received; RFC 3986 §6.2.3: no normalising away
 * an empty component's delimiter). The serialised URL keeps it, and a fragment never reaches here.
 */
function searchOf(u: URLParts): string {
  if (u.search !== '') return u.search
  const href = u.href
  if (href === undefined) return ''
  const hash = href.indexOf('#')
  return href.charCodeAt((hash === -1 ? href.length : hash) - 1) === 63 /* ? */ ? '?' : ''
}

const utf8Lossy = new TextDecoder('utf-8', { ignoreBOM: true })
const HEX = '0123456789ABCDEF'

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 65 && c <= 70) return c - 55
  if (c >= 97 && c <= 102) return c - 87
  return -1
}

/** WHATWG application/x-www-form-urlencoded parsing of one name or value (+ is space, %XX bytes, UTF-8). */
export function formDecode(raw: string): string {
  if (!raw.includes('%') && !raw.includes('+')) return raw
  const bytes: number[] = []
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i)
    if (c === 37 && i + 2 < raw.length && hexVal(raw.charCodeAt(i + 1)) >= 0 && hexVal(raw.charCodeAt(i + 2)) >= 0) {
      bytes.push(hexVal(raw.charCodeAt(i + 1)) * 16 + hexVal(raw.charCodeAt(i + 2)))
      i += 2
    } else if (c === 43) {
      bytes.push(32)
    } else if (c < 0x80) {
      bytes.push(c)
    } else {
      for (const b of new TextEncoder().encode(raw[i]! + (c >= 0xd800 && c <= 0xdbff && i + 1 < raw.length ? raw[++i]! : ''))) bytes.push(b)
    }
  }
  return utf8Lossy.decode(new Uint8Array(bytes))
}

/** "percent-encode after encoding" with the application/x-www-form-urlencoded set, space as %20 (RFC 9421 §2.2.8 example). */
export function formEncode(text: string): string {
  let out = ''
  for (const b of new TextEncoder().encode(text)) {
    const safe = (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b === 42 || b === 45 || b === 46 || b === 95
    out += safe ? String.fromCharCode(b) : '%' + HEX[b >> 4]! + HEX[b & 15]!
  }
  return out
}

function queryParam(search: string, name: string, id: string): string {
  let found: string | undefined
  const query = search.startsWith('?') ? search.slice(1) : search
  for (const pair of query.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const rawName = eq === -1 ? pair : pair.slice(0, eq)
    if (formEncode(formDecode(rawName)) !== name) continue
    // §2.2.8: a parameter name that occurs several times MUST NOT be included.
    if (found !== undefined) invalid(`${id}: the query parameter occurs more than once (cover "@query" instead)`)
    found = formEncode(formDecode(eq === -1 ? '' : pair.slice(eq + 1)))
  }
  if (found === undefined) missing(`${id}: the query parameter is absent`)
  return found!
}
