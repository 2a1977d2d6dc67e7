// Equality and matching of subject identifiers. RFC 9493 leaves comparison to the profile; the
// rules here are agentauth's decisions (documented in docs/ssf-receiver.md):
//  - every member is compared exactly (case-sensitive), except
//  - email: the domain is case-insensitive, the local part exact (RFC 5321 §2.4) unless
//    `caseInsensitiveEmail` is set;
//  - account: the `acct:` scheme and the host are case-insensitive, the user part exact;
//  - phone_number: compared after removing visual separators (space - . ( ));
//  - ip-addresses: equal when the two lists share at least one address (canonical IPv4/IPv6 text);
//  - proprietary formats: every member deep-equal.
import { codedTypeError } from '../errors/index.js'
import { COMPLEX_SUBJECT_MEMBERS, normalizeIP, normalizePhoneNumber, type AliasesSubjectId, type SimpleSubjectId, type SubjectId } from './subject-id.js'

/**
 * Options of {@link matchSubjectId}.
 *
 * @example
 * ```ts
 * matchSubjectId(a, b, { caseInsensitiveEmail: true })
 * ```
 */
export interface MatchSubjectIdOptions {
  /** Also fold the local part of `email` identifiers to lower case (many IdPs do). Default false. */
  readonly caseInsensitiveEmail?: boolean
}

function foldEmail(value: string, all: boolean): string {
  if (all) return value.toLowerCase()
  const at = value.lastIndexOf('@')
  return value.slice(0, at + 1) + value.slice(at + 1).toLowerCase()
}

function foldAccount(uri: string): string {
  const at = uri.lastIndexOf('@')
  return 'acct:' + uri.slice(5, at + 1) + uri.slice(at + 1).toLowerCase()
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  for (const k of ka) if (!Object.hasOwn(b, k) || !deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false
  return true
}

function simpleEqual(a: SimpleSubjectId, b: SimpleSubjectId, options: MatchSubjectIdOptions | undefined): boolean {
  if (a.format !== b.format) return false
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  switch (a.format) {
    case 'email':
      return foldEmail(x.email as string, options?.caseInsensitiveEmail === true) === foldEmail(y.email as string, options?.caseInsensitiveEmail === true)
    case 'account':
      return foldAccount(x.uri as string) === foldAccount(y.uri as string)
    case 'phone_number':
      return normalizePhoneNumber(x.phone_number as string) === normalizePhoneNumber(y.phone_number as string)
    case 'iss_sub':
      return x.iss === y.iss && x.sub === y.sub
    case 'opaque':
      return x.id === y.id
    case 'did':
      return x.url === y.url
    case 'uri':
      return x.uri === y.uri
    case 'jwt_id':
      return x.iss === y.iss && x.jti === y.jti
    case 'saml_assertion_id':
      return x.issuer === y.issuer && x.assertion_id === y.assertion_id
    case 'ip-addresses': {
      const left = new Set((x['ip-addresses'] as string[]).map(normalizeIP))
      // An address that is none (undefined) matches nothing, not another one that is none.
      return (y['ip-addresses'] as string[]).some((ip) => { const n = normalizeIP(ip); return n !== undefined && left.has(n) })
    }
    default:
      return deepEqual(a, b)
  }
}

/**
 * Whether a subject identifier matches a pattern (the subject you care about, e.g. the agent you
 * track or the subject a receiver added to a stream). Rules:
 * - `aliases` on either side: matches when any alias matches.
 * - complex pattern: every member of the pattern must match the same member of a complex subject
 *   (members the pattern leaves out are wildcards; an event subject must name every member the
 *   pattern names — for SSF 1.0 §8.1.3.1 stream matching, where either side's absent members are
 *   wildcards, the transmitter applies its own internal rule).
 * - simple pattern against a complex subject: matches when any member of the subject matches.
 * - simple against simple: same format and equal members (email domain, `acct:` host and phone
 *   separators are normalised; everything else is exact).
 *
 * @param pattern - the identifier you are looking for.
 * @param subject - the identifier carried by an event.
 * @param options - {@link MatchSubjectIdOptions}.
 * @returns true on a match.
 * @throws TypeError `ERR_INVALID_ARG_VALUE` when `pattern` or `subject` is not a subject
 *   identifier (not an object, a member missing or of the wrong type, aliases nested too deep);
 *   pass values from outside through `parseSubjectId` first.
 *
 * @example
 * ```ts
 * import { matchSubjectId } from 'agentauth/ssf'
 * matchSubjectId(
 *   { format: 'email', email: 'jdoe@example.com' },
 *   { format: 'complex', user: { format: 'email', email: 'jdoe@EXAMPLE.com' } },
 * ) // true
 * ```
 */
export function matchSubjectId(pattern: SubjectId, subject: SubjectId, options?: MatchSubjectIdOptions): boolean {
  try {
    return matches(pattern, subject, options)
  } catch (cause) {
    // A malformed identifier (null, a missing member, aliases nested until the stack ends) failed
    // with an uncoded TypeError or RangeError from deep inside.
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'pattern and subject must be subject identifiers (use parseSubjectId)', cause)
  }
}

function matches(pattern: SubjectId, subject: SubjectId, options?: MatchSubjectIdOptions): boolean {
  if (pattern.format === 'aliases') return (pattern as AliasesSubjectId).identifiers.some((p) => matches(p, subject, options))
  if (subject.format === 'aliases') return (subject as AliasesSubjectId).identifiers.some((s) => matches(pattern, s, options))
  if (pattern.format === 'complex') {
    if (subject.format !== 'complex') return false
    const p = pattern as unknown as Record<string, SubjectId | undefined>
    const s = subject as unknown as Record<string, SubjectId | undefined>
    let any = false
    for (const m of COMPLEX_SUBJECT_MEMBERS) {
      const pm = p[m]
      if (pm === undefined) continue
      const sm = s[m]
      if (sm === undefined || !matches(pm, sm, options)) return false
      any = true
    }
    return any
  }
  if (subject.format === 'complex') {
    const s = subject as unknown as Record<string, SubjectId | undefined>
    return COMPLEX_SUBJECT_MEMBERS.some((m) => s[m] !== undefined && matches(pattern, s[m], options))
  }
  return simpleEqual(pattern as SimpleSubjectId, subject as SimpleSubjectId, options)
}

/**
 * SSF 1.0 §8.1.3.1 subject matching, which a transmitter uses to decide whether a subject a
 * receiver added covers an event's subject. Unlike {@link matchSubjectId} it is symmetric for
 * complex subjects: two complex subjects match when every member both define matches, a member
 * left out on **either** side being a wildcard (the spec's example: an added `user` + `device`
 * covers an event naming the `user` only). agentauth's decision: at least one member must be
 * defined on both sides (two complex subjects with no member in common do not match). Aliases on
 * either side: any alias. Otherwise as {@link matchSubjectId}.
 *
 * @param added - the subject the receiver added to the stream.
 * @param subject - the subject of the event to transmit.
 * @returns true when the event is about the added subject.
 *
 * @example
 * ```ts
 * matchStreamSubject(
 *   { format: 'complex', user: { format: 'email', email: 'jdoe@example.com' }, device: { format: 'opaque', id: 'd1' } },
 *   { format: 'complex', user: { format: 'email', email: 'jdoe@example.com' } },
 * ) // true
 * ```
 */
export function matchStreamSubject(added: SubjectId, subject: SubjectId): boolean {
  if (added.format === 'aliases') return (added as AliasesSubjectId).identifiers.some((a) => matchStreamSubject(a, subject))
  if (subject.format === 'aliases') return (subject as AliasesSubjectId).identifiers.some((s) => matchStreamSubject(added, s))
  if (added.format !== 'complex' || subject.format !== 'complex') return matchSubjectId(added, subject)
  const a = added as unknown as Record<string, SubjectId | undefined>
  const s = subject as unknown as Record<string, SubjectId | undefined>
  let shared = false
  for (const m of COMPLEX_SUBJECT_MEMBERS) {
    const am = a[m]
    const sm = s[m]
    if (am === undefined || sm === undefined) continue
    if (!matchSubjectId(am, sm)) return false
    shared = true
  }
  return shared
}
