// Name constraints (RFC 5280 §4.2.1.10) for the two name types an X.509-SVID path cares about:
// URI (the SPIFFE ID / Workload Identifier; the constraint applies to the host = trust domain)
// and dNSName. Any other constraint type fails closed: SPIFFE X509-SVID §4.2 expects libraries
// that do not support a constraint to reject the certificate.
import { children, DERError, readTLV, TAG_SEQUENCE, type TLV } from './der.js'

export interface Subtree {
  /** `uri`, `dns`, or `other` (any GeneralName type we do not evaluate). */
  readonly type: 'uri' | 'dns' | 'other'
  readonly value: string
}

export interface NameConstraints {
  readonly permitted: readonly Subtree[]
  readonly excluded: readonly Subtree[]
}

const TAG_PERMITTED = 0xa0
const TAG_EXCLUDED = 0xa1
const GN_DNS = 0x82
const GN_URI = 0x86

function ia5(bytes: Uint8Array, tlv: TLV): string {
  let s = ''
  for (let i = tlv.start; i < tlv.end; i++) {
    const b = bytes[i]!
    if (b > 0x7e || b < 0x21) throw new DERError('name constraint is not printable ASCII')
    s += String.fromCharCode(b)
  }
  return s
}

function subtrees(bytes: Uint8Array, parent: TLV): Subtree[] {
  const out: Subtree[] = []
  for (const st of children(bytes, parent)) {
    if (st.tag !== TAG_SEQUENCE) throw new DERError('GeneralSubtree is not a SEQUENCE')
    const parts = children(bytes, st)
    const base = parts[0]
    if (base === undefined) throw new DERError('GeneralSubtree has no base')
    // minimum MUST be zero (absent in DER) and maximum MUST be absent (RFC 5280 §4.2.1.10).
    if (parts.length !== 1) throw new DERError('GeneralSubtree has minimum or maximum')
    if (base.tag === GN_URI) out.push({ type: 'uri', value: ia5(bytes, base) })
    else if (base.tag === GN_DNS) out.push({ type: 'dns', value: ia5(bytes, base) })
    else out.push({ type: 'other', value: `tag 0x${base.tag.toString(16)}` })
  }
  if (out.length === 0) throw new DERError('empty GeneralSubtrees')
  return out
}

/** Decodes the extnValue of a nameConstraints extension. */
export function parseNameConstraints(value: Uint8Array): NameConstraints {
  const seq = readTLV(value, 0)
  if (seq.tag !== TAG_SEQUENCE || seq.end !== value.length) throw new DERError('NameConstraints is not a SEQUENCE')
  let permitted: Subtree[] = []
  let excluded: Subtree[] = []
  let last = 0
  for (const part of children(value, seq)) {
    if (part.tag === TAG_PERMITTED && last < 1) permitted = subtrees(value, part)
    else if (part.tag === TAG_EXCLUDED && last < 2) excluded = subtrees(value, part)
    else throw new DERError('unexpected element in NameConstraints')
    last = part.tag === TAG_PERMITTED ? 1 : 2
  }
  // RFC 5280: conforming CAs MUST NOT issue an empty NameConstraints.
  if (permitted.length === 0 && excluded.length === 0) throw new DERError('empty NameConstraints')
  return { permitted, excluded }
}

// A name compared against constraints must be a plain host name, or it is refused (fail closed):
// labels of [a-z0-9_-] (any case; a leading "*" label for DNS wildcards), none empty, no trailing
// dot. "evil.example." or "evil.example " would otherwise slip past an exclusion of evil.example.
const HOST = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/i
const WILDCARD_HOST = /^(?:\*\.)?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/i
// A URI or DNS constraint is a host or a domain with a leading "." (RFC 5280 §4.2.1.10); an empty
// DNS constraint matches every name. Anything else ("spiffe://evil.example", "evil.example.",
// a port) would never match: an exclusion written that way would silently exclude nothing.
const CONSTRAINT = /^\.?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/i

// RFC 3986 §3.1 scheme followed by "//": only then does an authority (and a host) follow. In
// "urn:x://good.example" the "//" is inside the path and there is no host: RFC 5280 §4.2.1.10 says
// to reject a URI without a host under URI constraints, not to read one out of its path.
const AUTHORITY_URI = /^[a-z][a-z0-9+.-]*:\/\//i
const IPV4_LAST_LABEL = /(?:^|\.)(?:[0-9]+|0x[0-9a-f]*)$/i

// The host of a URI (RFC 3986 §3.2): after any userinfo, before any port; undefined when there is
// no authority or the host is not a plain host name (IP literal, percent-encoding, empty label).
function hostOfURI(uri: string): string | undefined {
  const i = uri.indexOf('://')
  if (i < 0 || !AUTHORITY_URI.test(uri)) return undefined
  const rest = uri.slice(i + 3)
  const end = rest.search(/[/?#]/)
  const authority = end < 0 ? rest : rest.slice(0, end)
  const host = authority.slice(authority.lastIndexOf('@') + 1).replace(/:[0-9]*$/, '')
  // An IPv4 address (10.0.0.1, and the forms URL parsers also read as one: 0x7f.1, 2130706433)
  // is not a host name a URI constraint can match: RFC 5280 §4.2.1.10 says to reject it, as Go
  // does. A top-level label is never all digits (RFC 3696 §2), so such a last label means an address.
  if (!HOST.test(host) || IPV4_LAST_LABEL.test(host)) return undefined
  return host.toLowerCase()
}

// URI: a constraint starting with "." matches proper subdomains only; otherwise the exact host.
function uriHostMatches(host: string, constraint: string): boolean {
  const c = constraint.toLowerCase()
  if (c.startsWith('.')) return host.length > c.length && host.endsWith(c)
  return host === c
}

// dNSName: the name itself or any name with labels added on the left ("." prefix: subdomains only).
function dnsMatches(name: string, constraint: string): boolean {
  const n = name.toLowerCase()
  const c = constraint.toLowerCase()
  if (c.length === 0) return true
  if (c.startsWith('.')) return n.length > c.length && n.endsWith(c)
  return n === c || n.endsWith(`.${c}`)
}

/** `name` as a host to compare (DNS name, or the host of a URI), undefined when it is not one. */
function hostOf(type: 'uri' | 'dns', name: string): string | undefined {
  if (type === 'uri') return hostOfURI(name)
  return WILDCARD_HOST.test(name) ? name : undefined
}

// A wildcard DNS name `*.D` stands for every `x.D` with one label x. Matched as a string it is
// inside exactly the subtrees holding all of them, which is right for permitted subtrees; but it
// also overlaps an excluded `x.D` one label longer than D (excluded `evil.example.org` must stop
// `*.example.org`, as Go after CVE-2025-61727 and BoringSSL do). A one-label exclusion (`com`)
// has no such x.D.
function wildcardOverlaps(name: string, constraint: string): boolean {
  if (!name.startsWith('*.')) return false
  const c = constraint.toLowerCase()
  const dot = c.indexOf('.')
  return dot > 0 && c.slice(dot + 1) === name.slice(2).toLowerCase()
}

function matches(tree: Subtree, type: 'uri' | 'dns', host: string, excluded = false): boolean {
  if (tree.type !== type) return false
  if (type === 'uri') return uriHostMatches(host, tree.value)
  return dnsMatches(host, tree.value) || (excluded && wildcardOverlaps(host, tree.value))
}

/**
 * Checks the URI and DNS names of one certificate below the constraining CA. Returns a reason
 * when they violate the constraints, `undefined` when they satisfy them.
 */
export function checkNameConstraints(nc: NameConstraints, uris: readonly string[], dnsNames: readonly string[]): string | undefined {
  if (nc.permitted.some((t) => t.type === 'other') || nc.excluded.some((t) => t.type === 'other')) {
    return 'uses a name constraint type other than URI or DNS (not supported, rejected)'
  }
  for (const t of [...nc.permitted, ...nc.excluded]) {
    if (!CONSTRAINT.test(t.value) && !(t.type === 'dns' && t.value === '')) {
      return `have a ${t.type === 'uri' ? 'URI' : 'DNS'} name constraint ${t.value} that is not a host or domain name (cannot be evaluated, rejected)`
    }
  }
  const names: Array<['uri' | 'dns', string]> = [...uris.map((u) => ['uri', u] as ['uri', string]), ...dnsNames.map((d) => ['dns', d] as ['dns', string])]
  for (const [type, name] of names) {
    const what = `${type === 'uri' ? 'URI' : 'DNS'} name ${name}`
    const permitted = nc.permitted.filter((t) => t.type === type)
    if (permitted.length === 0 && !nc.excluded.some((t) => t.type === type)) continue
    const host = hostOf(type, name)
    if (host === undefined) return `cannot be checked against ${what} (not a plain host name)`
    if (nc.excluded.some((t) => matches(t, type, host, true))) return `excludes ${what}`
    if (permitted.length > 0 && !permitted.some((t) => matches(t, type, host))) return `does not permit ${what}`
  }
  return undefined
}
