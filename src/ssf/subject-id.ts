// Subject identifiers: RFC 9493 formats, the SSF 1.0 §3.5 additions and the SSF §3.3 complex
// subject. Parsing is syntax-only and strict on the members each format defines; members a format
// does not define are ignored (SSF §4.2.3 "unknown fields MUST be ignored"). Formats agentauth does
// not know are kept whole as proprietary identifiers (SSF §3.4).
import { VerificationError } from '../errors/index.js'
import { isPlainObject, type JSONObject } from '../internal/json.js'

/**
 * RFC 9493 §3.2.1 `account`: an `acct:` URI.
 *
 * @example
 * ```ts
 * const id: AccountSubjectId = { format: 'account', uri: 'acct:jdoe@example.com' }
 * ```
 */
export interface AccountSubjectId { readonly format: 'account'; readonly uri: string }
/**
 * RFC 9493 §3.2.2 `email`.
 *
 * @example
 * ```ts
 * const id: EmailSubjectId = { format: 'email', email: 'jdoe@example.com' }
 * ```
 */
export interface EmailSubjectId { readonly format: 'email'; readonly email: string }
/**
 * RFC 9493 §3.2.3 `iss_sub`: an issuer and a subject scoped to it.
 *
 * @example
 * ```ts
 * const id: IssSubSubjectId = { format: 'iss_sub', iss: 'https://idp.example.com/', sub: '145234573' }
 * ```
 */
export interface IssSubSubjectId { readonly format: 'iss_sub'; readonly iss: string; readonly sub: string }
/**
 * RFC 9493 §3.2.4 `opaque`.
 *
 * @example
 * ```ts
 * const id: OpaqueSubjectId = { format: 'opaque', id: 'session-7' }
 * ```
 */
export interface OpaqueSubjectId { readonly format: 'opaque'; readonly id: string }
/**
 * RFC 9493 §3.2.5 `phone_number` (E.164; visual separators tolerated, see {@link matchSubjectId}).
 *
 * @example
 * ```ts
 * const id: PhoneNumberSubjectId = { format: 'phone_number', phone_number: '+12065550100' }
 * ```
 */
export interface PhoneNumberSubjectId { readonly format: 'phone_number'; readonly phone_number: string }
/**
 * RFC 9493 §3.2.6 `did`.
 *
 * @example
 * ```ts
 * const id: DIDSubjectId = { format: 'did', url: 'did:example:123456' }
 * ```
 */
export interface DIDSubjectId { readonly format: 'did'; readonly url: string }
/**
 * RFC 9493 §3.2.7 `uri` (e.g. a SPIFFE ID or WIMSE workload URI).
 *
 * @example
 * ```ts
 * const id: URISubjectId = { format: 'uri', uri: 'spiffe://example.org/agent/7' }
 * ```
 */
export interface URISubjectId { readonly format: 'uri'; readonly uri: string }
/**
 * SSF 1.0 §3.5.1 `jwt_id`: one JWT, by issuer and `jti`.
 *
 * @example
 * ```ts
 * const id: JWTIdSubjectId = { format: 'jwt_id', iss: 'https://idp.example.com/', jti: 'wit-123' }
 * ```
 */
export interface JWTIdSubjectId { readonly format: 'jwt_id'; readonly iss: string; readonly jti: string }
/**
 * SSF 1.0 §3.5.2 `saml_assertion_id`.
 *
 * @example
 * ```ts
 * const id: SAMLAssertionIdSubjectId = { format: 'saml_assertion_id', issuer: 'https://idp.example.com/', assertion_id: '_8e8dc5f6' }
 * ```
 */
export interface SAMLAssertionIdSubjectId { readonly format: 'saml_assertion_id'; readonly issuer: string; readonly assertion_id: string }
/**
 * SSF 1.0 §3.5.3 `ip-addresses`.
 *
 * @example
 * ```ts
 * const id: IPAddressesSubjectId = { format: 'ip-addresses', 'ip-addresses': ['10.29.37.75', '2001:db8::1'] }
 * ```
 */
export interface IPAddressesSubjectId { readonly format: 'ip-addresses'; readonly 'ip-addresses': readonly string[] }
/**
 * A format agentauth does not define (SSF §3.4, by agreement); every member is kept.
 *
 * @example
 * ```ts
 * const id: ProprietarySubjectId = { format: 'jwk_thumbprint', jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' }
 * ```
 */
export interface ProprietarySubjectId { readonly format: string; readonly [member: string]: unknown }

/**
 * A subject identifier of a single format (everything but `aliases` and `complex`).
 *
 * @example
 * ```ts
 * const id: SimpleSubjectId = { format: 'uri', uri: 'spiffe://example.org/agent/7' }
 * ```
 */
export type SimpleSubjectId =
  | AccountSubjectId | EmailSubjectId | IssSubSubjectId | OpaqueSubjectId | PhoneNumberSubjectId
  | DIDSubjectId | URISubjectId | JWTIdSubjectId | SAMLAssertionIdSubjectId | IPAddressesSubjectId
  | ProprietarySubjectId

/**
 * RFC 9493 §3.2.8 `aliases`: several identifiers of one subject (never nested).
 *
 * @example
 * ```ts
 * const id: AliasesSubjectId = { format: 'aliases', identifiers: [{ format: 'email', email: 'a@example.com' }, { format: 'opaque', id: '7' }] }
 * ```
 */
export interface AliasesSubjectId { readonly format: 'aliases'; readonly identifiers: readonly SimpleSubjectId[] }

/**
 * Members of an SSF complex subject (SSF 1.0 §3.3).
 *
 * @example
 * ```ts
 * const member: ComplexSubjectMember = 'session'
 * ```
 */
export type ComplexSubjectMember = 'user' | 'device' | 'session' | 'application' | 'tenant' | 'org_unit' | 'group'

/**
 * SSF 1.0 §3.3 complex subject: each member describes one facet of the same principal. Additional
 * members (names other than these seven) that are subject identifiers are kept too, untyped.
 *
 * @example
 * ```ts
 * const id: ComplexSubjectId = { format: 'complex', user: { format: 'uri', uri: 'spiffe://example.org/agent/7' }, session: { format: 'opaque', id: 's-1' } }
 * ```
 */
export interface ComplexSubjectId {
  readonly format: 'complex'
  readonly user?: SimpleSubjectId | AliasesSubjectId
  readonly device?: SimpleSubjectId | AliasesSubjectId
  readonly session?: SimpleSubjectId | AliasesSubjectId
  readonly application?: SimpleSubjectId | AliasesSubjectId
  readonly tenant?: SimpleSubjectId | AliasesSubjectId
  readonly org_unit?: SimpleSubjectId | AliasesSubjectId
  readonly group?: SimpleSubjectId | AliasesSubjectId
}

/**
 * Any subject identifier agentauth parses. Switch on `format`.
 *
 * @example
 * ```ts
 * const id: SubjectId = parseSubjectId(claims.sub_id)
 * if (id.format === 'complex') console.log(id.user, id.session)
 * ```
 */
export type SubjectId = SimpleSubjectId | AliasesSubjectId | ComplexSubjectId

/**
 * The complex-subject member names, in SSF order.
 *
 * @example
 * ```ts
 * for (const m of COMPLEX_SUBJECT_MEMBERS) if (subject.format === 'complex' && subject[m]) console.log(m)
 * ```
 */
export const COMPLEX_SUBJECT_MEMBERS: readonly ComplexSubjectMember[] = Object.freeze(['user', 'device', 'session', 'application', 'tenant', 'org_unit', 'group'])

const MAX_ALIASES = 32
const MAX_IPS = 64
const MAX_MEMBER_LENGTH = 2048

function fail(message: string, claim?: string): never {
  throw new VerificationError('ERR_SUBJECT_ID_INVALID', `subject identifier ${message}`, claim === undefined ? undefined : { claim })
}

function str(o: JSONObject, name: string): string {
  const v = o[name]
  if (typeof v !== 'string' || v.length === 0) fail(`member "${name}" must be a non-empty string`, name)
  if (v.length > MAX_MEMBER_LENGTH) fail(`member "${name}" is too long`, name)
  return v
}

const E164 = /^\+[1-9][0-9]{1,14}$/
const PHONE_SEPARATORS = /[ \-.()]/g
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/

/** Strips the visual separators SSF's own examples use ("+1 206 555 0123"). */
export function normalizePhoneNumber(value: string): string {
  return value.replace(PHONE_SEPARATORS, '')
}

function email(value: string): string {
  const at = value.lastIndexOf('@')
  if (at <= 0 || at === value.length - 1 || /\s/.test(value)) fail('email is not an address (local@domain)', 'email')
  return value
}

function parseSimple(o: JSONObject, format: string): SimpleSubjectId {
  switch (format) {
    case 'account': {
      const uri = str(o, 'uri')
      if (!/^acct:[^@\s]+@[^@\s]+$/i.test(uri)) fail('account uri must be acct:user@host', 'uri')
      return { format, uri }
    }
    case 'email':
      return { format, email: email(str(o, 'email')) }
    case 'iss_sub':
      return { format, iss: str(o, 'iss'), sub: str(o, 'sub') }
    case 'opaque':
      return { format, id: str(o, 'id') }
    case 'phone_number': {
      const phone = str(o, 'phone_number')
      if (!E164.test(normalizePhoneNumber(phone))) fail('phone_number is not an E.164 number', 'phone_number')
      return { format, phone_number: phone }
    }
    case 'did': {
      const url = str(o, 'url')
      if (!url.startsWith('did:')) fail('did url must start with did:', 'url')
      return { format, url }
    }
    case 'uri': {
      const uri = str(o, 'uri')
      if (!SCHEME.test(uri)) fail('uri is not an absolute URI', 'uri')
      return { format, uri }
    }
    case 'jwt_id':
      return { format, iss: str(o, 'iss'), jti: str(o, 'jti') }
    case 'saml_assertion_id':
      return { format, issuer: str(o, 'issuer'), assertion_id: str(o, 'assertion_id') }
    case 'ip-addresses': {
      const list = o['ip-addresses']
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_IPS) fail('ip-addresses must be a non-empty array', 'ip-addresses')
      for (const ip of list) if (typeof ip !== 'string' || normalizeIP(ip) === undefined) fail('ip-addresses holds an invalid address', 'ip-addresses')
      return { format, 'ip-addresses': Object.freeze([...(list as string[])]) }
    }
    default:
      return { ...o, format }
  }
}

function parseAny(value: unknown, depth: 'top' | 'member' | 'alias'): SubjectId {
  if (!isPlainObject(value)) fail('must be a JSON object')
  const format = value.format
  if (typeof format !== 'string' || format.length === 0 || format.length > 256) fail('format must be a non-empty string', 'format')
  if (format === 'aliases') {
    if (depth === 'alias') fail('aliases must not be nested', 'identifiers')
    const ids = value.identifiers
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_ALIASES) fail('aliases identifiers must be a non-empty array', 'identifiers')
    const identifiers = ids.map((x) => parseAny(x, 'alias'))
    if (identifiers.some((x) => x.format === 'complex')) fail('aliases must not contain a complex subject', 'identifiers')
    return Object.freeze({ format, identifiers: Object.freeze(identifiers as SimpleSubjectId[]) })
  }
  if (format === 'complex') {
    if (depth !== 'top') fail('complex subjects must not be nested', 'format')
    const out: Record<string, unknown> = { format }
    let count = 0
    for (const name of COMPLEX_SUBJECT_MEMBERS) {
      if (!Object.hasOwn(value, name)) continue
      out[name] = parseAny(value[name], 'member')
      count++
    }
    // SSF 1.0 §3.3: "Additional Subject Member names MAY be used in Complex Subjects". Kept when
    // they are subject identifiers (receivers must make a best effort to process every member,
    // §3.6); anything else is ignored (§4.2.3). A subject naming only such members is valid.
    for (const name of Object.keys(value)) {
      if (name === 'format' || (COMPLEX_SUBJECT_MEMBERS as readonly string[]).includes(name) || count >= MAX_ALIASES + COMPLEX_SUBJECT_MEMBERS.length) continue
      try {
        out[name] = parseAny(value[name], 'member')
        count++
      } catch {
        // not a subject identifier: an unknown field, ignored
      }
    }
    if (count === 0) fail('complex subject has no member')
    return Object.freeze(out) as unknown as ComplexSubjectId
  }
  return Object.freeze(parseSimple(value, format))
}

/**
 * Parses a subject identifier (RFC 9493 §3, SSF 1.0 §3.3–§3.5): `account`, `email`, `iss_sub`,
 * `opaque`, `phone_number`, `did`, `uri`, `aliases` (not nested), `jwt_id`, `saml_assertion_id`,
 * `ip-addresses` and `complex`; other formats are kept whole as proprietary identifiers. Members a
 * format does not define are dropped, except a complex subject's additional members that are
 * subject identifiers (SSF 1.0 §3.3 allows other member names). The result is frozen.
 *
 * @param value - the decoded JSON value (e.g. a SET's `sub_id` claim).
 * @returns the typed, frozen identifier.
 * @throws VerificationError `ERR_SUBJECT_ID_INVALID` when the value is not a well-formed identifier.
 *
 * @example
 * ```ts
 * import { parseSubjectId } from 'agentauth/ssf'
 * const id = parseSubjectId({ format: 'email', email: 'jdoe@example.com' })
 * if (id.format === 'email') console.log(id.email)
 * ```
 */
export function parseSubjectId(value: unknown): SubjectId {
  return parseAny(value, 'top')
}

/** Canonical text of an IPv4 or IPv6 address, or undefined when it is not one. */
export function normalizeIP(value: string): string | undefined {
  if (value.length > 64) return undefined
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value)) {
    const parts = value.split('.').map(Number)
    return parts.every((p) => p <= 255) ? parts.join('.') : undefined
  }
  if (!/^[0-9A-Fa-f:.]+$/.test(value) || !value.includes(':')) return undefined
  let text = value.toLowerCase()
  if (text.includes('.')) {
    // Embedded IPv4 (RFC 4291 §2.2 form 3): rewrite the dotted tail as two hex groups.
    const lastColon = text.lastIndexOf(':')
    const v4 = normalizeIP(text.slice(lastColon + 1))
    if (v4 === undefined || v4.includes(':')) return undefined
    const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number]
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const parse = (s: string): number[] | undefined => {
    if (s === '') return []
    const groups = s.split(':')
    const out: number[] = []
    for (const g of groups) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined
      out.push(parseInt(g, 16))
    }
    return out
  }
  const head = parse(halves[0]!)
  const rest = halves.length === 2 ? parse(halves[1]!) : []
  if (head === undefined || rest === undefined) return undefined
  const total = head.length + rest.length
  let groups: number[]
  if (halves.length === 2) {
    if (total > 7) return undefined
    groups = [...head, ...new Array<number>(8 - total).fill(0), ...rest]
  } else {
    if (total !== 8) return undefined
    groups = head
  }
  return groups.map((g) => g.toString(16)).join(':')
}
