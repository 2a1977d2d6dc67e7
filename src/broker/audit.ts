// Audit records: built here so every one has the same shape and the URL is always redacted.
import type { AuditRecord, AuditSink, BrokerMode } from './types.js'

/** A query parameter name kept in the audit log; any other part is written as `REDACTED` whole. */
const QUERY_NAME = /^[A-Za-z0-9_.[\]-]{1,64}$/

/**
 * The form of a URL written to the audit log: origin and path, no userinfo or fragment, and every
 * query value replaced by `REDACTED`. Parameter names are kept when they look like names (up to 64
 * letters, digits, `_`, `-`, `.`, `[`, `]`), so the log still says what was asked; a part without
 * `=` (`?sk_live_…`) or with an unusual name (`api_key%3Dsecret`) may itself be a secret and is
 * written as `REDACTED` whole.
 *
 * @param url - the target URL.
 * @returns the redacted string.
 *
 * @example
 * ```ts
 * import { redactURL } from 'agentauth/broker'
 * redactURL(new URL('https://api.example.com/v1/search?q=secret&page=2#top'))
 * // 'https://api.example.com/v1/search?q=REDACTED&page=REDACTED'
 * ```
 */
export function redactURL(url: URL): string {
  let out = url.origin + url.pathname
  if (url.search !== '') {
    const names: string[] = []
    for (const part of url.search.slice(1).split('&')) {
      if (part === '') continue
      const eq = part.indexOf('=')
      const name = eq === -1 ? '' : part.slice(0, eq)
      names.push(QUERY_NAME.test(name) ? `${name}=REDACTED` : 'REDACTED')
    }
    out += `?${names.join('&')}`
  }
  return out
}

export interface AuditFields {
  readonly decision: 'allow' | 'deny'
  readonly reason: string
  readonly mode: BrokerMode | 'unknown'
  readonly method?: string | undefined
  readonly url?: URL | undefined
  readonly status?: number | undefined
  readonly hop?: number | undefined
}

export function auditRecord(id: string, now: number, f: AuditFields): AuditRecord {
  const record: { -readonly [K in keyof AuditRecord]: AuditRecord[K] } = { time: new Date(now).toISOString(), id, decision: f.decision, reason: f.reason, mode: f.mode }
  if (f.method !== undefined) record.method = f.method
  if (f.url !== undefined) {
    record.url = redactURL(f.url)
    record.origin = f.url.origin
  }
  if (f.status !== undefined) record.status = f.status
  if (f.hop !== undefined) record.hop = f.hop
  return Object.freeze(record)
}

/** Writes a record; resolves false (and reports) when the sink failed. */
export async function writeAudit(sink: AuditSink, record: AuditRecord, onError: (err: unknown) => void): Promise<boolean> {
  try {
    await sink(record)
    return true
  } catch (err) {
    onError(err)
    return false
  }
}
