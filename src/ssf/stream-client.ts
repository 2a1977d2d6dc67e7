// SSF 1.0 receiver-side management client: transmitter discovery (§7) and the stream management
// API (§8): configuration CRUD, status, subjects, verification. Every failure is a ProtocolError
// ERR_SSF_STREAM carrying the HTTP status and the transmitter's error body when it sent one.
import { ProtocolError, codedTypeError } from '../errors/index.js'
import { untilAborted } from '../internal/abort.js'
import { assertFunction, assertObject, assertString, optionalNumber } from '../internal/assert.js'
import { isPlainObject, parseJSONObject, refuseLoneSurrogates, type JSONObject } from '../internal/json.js'
import { readBoundedBytes } from './body.js'
import type { FetchLike } from './poll-receiver.js'
import type { SubjectId } from './subject-id.js'

/**
 * Transmitter configuration metadata (SSF 1.0 §7.1).
 *
 * @example
 * ```ts
 * const m: TransmitterMetadata = await discoverTransmitter('https://idp.example.com/')
 * console.log(m.jwks_uri, m.configuration_endpoint)
 * ```
 */
export interface TransmitterMetadata {
  readonly spec_version?: string
  readonly issuer: string
  readonly jwks_uri?: string
  readonly delivery_methods_supported?: readonly string[]
  readonly configuration_endpoint?: string
  readonly status_endpoint?: string
  readonly add_subject_endpoint?: string
  readonly remove_subject_endpoint?: string
  readonly verification_endpoint?: string
  readonly critical_subject_members?: readonly string[]
  readonly authorization_schemes?: readonly { readonly spec_urn: string }[]
  readonly default_subjects?: 'ALL' | 'NONE'
  readonly [member: string]: unknown
}

/**
 * Delivery configuration of a stream (SSF 1.0 §8.1.1).
 *
 * @example
 * ```ts
 * const delivery: StreamDelivery = { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://api.example.com/ssf', authorization_header: 'Bearer push-secret' }
 * ```
 */
export interface StreamDelivery {
  readonly method: string
  readonly endpoint_url?: string
  readonly authorization_header?: string
}

/**
 * A stream configuration as the transmitter returns it (SSF 1.0 §8.1.1).
 *
 * @example
 * ```ts
 * const stream: StreamConfiguration = await client.createStream({ delivery })
 * console.log(stream.stream_id, stream.events_delivered)
 * ```
 */
export interface StreamConfiguration {
  readonly stream_id: string
  readonly iss: string
  readonly aud: string | readonly string[]
  readonly events_supported?: readonly string[]
  readonly events_requested?: readonly string[]
  readonly events_delivered?: readonly string[]
  readonly delivery: StreamDelivery
  readonly min_verification_interval?: number
  readonly description?: string
  readonly inactivity_timeout?: number
  readonly [member: string]: unknown
}

/**
 * Receiver-supplied stream properties (create / update / replace).
 *
 * @example
 * ```ts
 * const props: StreamProperties = { events_requested: [EVENT_TYPE_URIS['session-revoked']], delivery: { method: 'urn:ietf:rfc:8936' } }
 * ```
 */
export interface StreamProperties {
  readonly events_requested?: readonly string[]
  readonly delivery?: StreamDelivery
  readonly description?: string
}

/**
 * Stream status (SSF 1.0 §8.1.2).
 *
 * @example
 * ```ts
 * const { status, reason }: StreamStatus = await client.getStatus(streamId)
 * ```
 */
export interface StreamStatus {
  readonly stream_id: string
  readonly status: 'enabled' | 'paused' | 'disabled'
  readonly reason?: string
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]'
}

/** An https URL (http only on loopback): where the receiver may send its access token. */
function secureUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined
  const url = new URL(value)
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname)) ? url : undefined
}

/**
 * The discovery URL of an SSF issuer (SSF 1.0 §7.2): `/.well-known/ssf-configuration` is inserted
 * between the host and the issuer's path, after removing a trailing `/`.
 *
 * @param issuer - the transmitter issuer (`https:`, or `http:` on a loopback host for tests).
 * @returns the metadata URL.
 * @throws TypeError `ERR_INVALID_ARG_VALUE` for an issuer that is not an https URL without query and fragment.
 *
 * @example
 * ```ts
 * import { ssfConfigurationUrl } from 'agentauth/ssf'
 * ssfConfigurationUrl('https://tr.example.com/issuer1').href
 * // 'https://tr.example.com/.well-known/ssf-configuration/issuer1'
 * ```
 */
export function ssfConfigurationUrl(issuer: string): URL {
  let url: URL
  try {
    url = new URL(issuer)
  } catch (cause) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'issuer must be an absolute URL', cause)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.host.replace(/:\d+$/, '')))) {
    throw codedTypeError('ERR_INVALID_ARG_VALUE', 'issuer must use https (http only on loopback)')
  }
  if (url.search !== '' || url.hash !== '' || issuer.includes('?') || issuer.includes('#')) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'issuer must not have a query or fragment')
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '')
  return new URL(`${url.origin}/.well-known/ssf-configuration${path}`)
}

function fail(message: string, status?: number, body?: JSONObject, cause?: unknown): ProtocolError {
  const error = typeof body?.err === 'string' ? body.err : typeof body?.error === 'string' ? body.error : undefined
  const d = typeof body?.description === 'string' ? body.description : typeof body?.error_description === 'string' ? body.error_description : undefined
  return new ProtocolError('ERR_SSF_STREAM', message, { status, error, errorDescription: d, cause })
}

const MAX_BYTES = 1_048_576

async function readJSON(response: Response, what: string): Promise<JSONObject | readonly unknown[] | undefined> {
  let bytes: Uint8Array
  try {
    bytes = await readBoundedBytes(response, MAX_BYTES)
  } catch (cause) {
    throw fail(`${what} response is too large`, response.status, undefined, cause)
  }
  if (bytes.length === 0) return undefined
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    const value: unknown = JSON.parse(text)
    if (!Array.isArray(value)) return parseJSONObject(text, { maxBytes: MAX_BYTES, what })
    // A list (of stream configurations) gets the same strictness as an object: no lone surrogate.
    refuseLoneSurrogates(text, value, 'ERR_JSON_INVALID', what)
    return value
  } catch (cause) {
    throw fail(`${what} response is not JSON`, response.status, undefined, cause)
  }
}

/** Waits for a body read no longer than `signal` allows (a body may ignore it); ERR_SSF_STREAM then. */
async function bounded<T>(read: Promise<T>, signal: AbortSignal | undefined, what: string, status: number): Promise<T> {
  try {
    return await untilAborted(read, signal)
  } catch (cause) {
    if (cause instanceof ProtocolError) throw cause
    throw fail(`${what} response did not arrive in time`, status, undefined, cause)
  }
}

function stringArray(v: unknown): boolean {
  return Array.isArray(v) && v.every((x) => typeof x === 'string')
}

/** What member of a returned stream configuration does not have its {@link StreamConfiguration} type. */
function configProblem(c: JSONObject): string | undefined {
  for (const name of ['events_supported', 'events_requested', 'events_delivered']) {
    if (c[name] !== undefined && !stringArray(c[name])) return `${name} is not an array of strings`
  }
  for (const name of ['min_verification_interval', 'inactivity_timeout']) {
    const v = c[name]
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) return `${name} is not a non-negative number`
  }
  if (c.description !== undefined && typeof c.description !== 'string') return 'description is not a string'
  const d = c.delivery as JSONObject
  if (d.endpoint_url !== undefined && typeof d.endpoint_url !== 'string') return 'delivery.endpoint_url is not a string'
  if (d.authorization_header !== undefined && typeof d.authorization_header !== 'string') return 'delivery.authorization_header is not a string'
  return undefined
}

/**
 * Options of {@link discoverTransmitter}.
 *
 * @example
 * ```ts
 * await discoverTransmitter(issuer, { fetch: myFetch, signal: AbortSignal.timeout(5000) })
 * ```
 */
export interface DiscoverOptions {
  fetch?: FetchLike
  /** Aborts the request; without it, {@link DiscoverOptions.timeoutMs} applies. */
  signal?: AbortSignal
  /**
   * Ms the request and its body may take when no `signal` is given (integer, default 10000), also
   * when a custom `fetch` ignores its signal: a transmitter that never answers must not hang the caller.
   */
  timeoutMs?: number
}

/**
 * Fetches and validates transmitter metadata (SSF 1.0 §7): `GET` the {@link ssfConfigurationUrl},
 * require a JSON object whose `issuer` equals the issuer asked for, and endpoints (`jwks_uri`, the
 * stream-management endpoints) that are https URLs (http only on loopback, like the issuer): the
 * stream client sends the receiver's access token to them.
 *
 * @param issuer - the transmitter issuer.
 * @param options - `fetch`, `signal` (default: a `timeoutMs` deadline, 10 s).
 * @returns frozen {@link TransmitterMetadata}.
 * @throws ProtocolError `ERR_SSF_STREAM` on HTTP errors, malformed metadata or an issuer mismatch;
 *   TypeError `ERR_INVALID_ARG_VALUE` for a bad issuer, `ERR_INVALID_ARG_*` for a bad `timeoutMs`.
 *
 * @example
 * ```ts
 * import { discoverTransmitter } from 'agentauth/ssf'
 * const metadata = await discoverTransmitter('https://idp.example.com/')
 * console.log(metadata.jwks_uri, metadata.delivery_methods_supported)
 * ```
 */
export async function discoverTransmitter(issuer: string, options: DiscoverOptions = {}): Promise<TransmitterMetadata> {
  assertString(issuer, 'issuer')
  const url = ssfConfigurationUrl(issuer)
  const doFetch: FetchLike = options.fetch ?? ((i, init) => globalThis.fetch(i, init))
  // Without a signal there was no deadline at all: a transmitter that never answered hung discovery for good.
  const timeoutMs = optionalNumber(options.timeoutMs, 'options.timeoutMs', 10_000, { min: 1, max: 2_147_483_647, integer: true })
  const signal = options.signal ?? AbortSignal.timeout(timeoutMs)
  let response: Response
  try {
    response = await untilAborted(doFetch(url, { headers: { accept: 'application/json' }, redirect: 'manual', ...(signal ? { signal } : {}) }), signal)
  } catch (cause) {
    throw fail('transmitter metadata could not be fetched', undefined, undefined, cause)
  }
  if (response.status !== 200) throw fail(`transmitter metadata answered ${response.status}`, response.status)
  const m = await bounded(readJSON(response, 'transmitter metadata'), signal, 'transmitter metadata', response.status)
  const problem = metadataProblem(m, issuer)
  if (problem !== undefined) throw fail(`transmitter metadata ${problem}`, 200)
  return Object.freeze(m) as TransmitterMetadata
}

/** What is wrong with transmitter metadata for `issuer` (SSF 1.0 §7.1), or undefined. */
function metadataProblem(m: unknown, issuer: string): string | undefined {
  if (!isPlainObject(m)) return 'is not a JSON object'
  if (m.issuer !== issuer) return 'issuer does not match the issuer used for discovery'
  for (const name of ['jwks_uri', 'configuration_endpoint', 'status_endpoint', 'add_subject_endpoint', 'remove_subject_endpoint', 'verification_endpoint']) {
    if (m[name] !== undefined && secureUrl(m[name]) === undefined) return `${name} is not an https URL`
  }
  for (const name of ['delivery_methods_supported', 'critical_subject_members']) {
    if (m[name] !== undefined && !stringArray(m[name])) return `${name} is not an array of strings`
  }
  if (m.default_subjects !== undefined && m.default_subjects !== 'ALL' && m.default_subjects !== 'NONE') return 'default_subjects is invalid'
  return undefined
}

/**
 * Options of {@link createStreamClient}.
 *
 * @example
 * ```ts
 * const options: StreamClientOptions = { issuer: 'https://idp.example.com/', authorization: async () => `Bearer ${await getToken()}`, audience: 'https://api.example.com' }
 * ```
 */
export interface StreamClientOptions {
  /** The transmitter issuer; metadata is discovered from it unless `metadata` is given. */
  issuer: string
  /** Already discovered metadata (skips discovery); checked as discovered metadata is (its `issuer` must be `issuer`). */
  metadata?: TransmitterMetadata
  /** `Authorization` header value (SSF 1.0 §9: an OAuth access token), or a function returning it. */
  authorization: string | (() => string | Promise<string>)
  /** The receiver's expected audience: returned stream configurations must carry it. */
  audience?: string
  fetch?: FetchLike
  /** Per-request timeout in ms, discovery, the `authorization` callback and response bodies included (also when they ignore the signal). Default 10000. */
  timeoutMs?: number
}

/**
 * SSF 1.0 §8 stream management, bound to one transmitter.
 *
 * @example
 * ```ts
 * const client: StreamClient = createStreamClient({ issuer, authorization: 'Bearer …' })
 * await client.setStatus(streamId, 'paused', 'maintenance')
 * ```
 */
export interface StreamClient {
  /** Transmitter metadata (discovered once, then cached). */
  metadata(): Promise<TransmitterMetadata>
  createStream(properties: StreamProperties): Promise<StreamConfiguration>
  getStream(streamId: string): Promise<StreamConfiguration>
  listStreams(): Promise<readonly StreamConfiguration[]>
  updateStream(streamId: string, properties: StreamProperties): Promise<StreamConfiguration | undefined>
  replaceStream(streamId: string, properties: StreamProperties): Promise<StreamConfiguration | undefined>
  deleteStream(streamId: string): Promise<void>
  getStatus(streamId: string): Promise<StreamStatus>
  setStatus(streamId: string, status: StreamStatus['status'], reason?: string): Promise<StreamStatus | undefined>
  addSubject(streamId: string, subject: SubjectId, verified?: boolean): Promise<void>
  removeSubject(streamId: string, subject: SubjectId): Promise<void>
  requestVerification(streamId: string, state?: string): Promise<void>
}

/**
 * Creates an SSF 1.0 stream management client (§8): create/read/update/replace/delete streams,
 * read and set status, add and remove subjects, trigger verification. Returned stream
 * configurations are checked: `iss` must equal the issuer and (when `audience` is set) `aud` must
 * contain it (§8.1.1: receivers MUST check them).
 *
 * @param options - {@link StreamClientOptions}.
 * @returns a {@link StreamClient}.
 * @throws TypeError `ERR_INVALID_ARG_*` for bad options; methods reject with ProtocolError
 *   `ERR_SSF_STREAM` (status, `error`, `errorDescription` from the transmitter; also, before any
 *   request, when supplied `metadata` names another issuer or an endpoint that is not https).
 *
 * @example
 * ```ts
 * import { createStreamClient } from 'agentauth/ssf'
 * const client = createStreamClient({ issuer: 'https://idp.example.com/', authorization: 'Bearer …' })
 * const stream = await client.createStream({
 *   delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://api.example.com/ssf', authorization_header: 'Bearer push-secret' },
 *   events_requested: ['https://schemas.openid.net/secevent/caep/event-type/session-revoked'],
 * })
 * await client.requestVerification(stream.stream_id, 'nonce-1')
 * ```
 */
export function createStreamClient(options: StreamClientOptions): StreamClient {
  assertObject(options, 'options')
  assertString(options.issuer, 'options.issuer')
  ssfConfigurationUrl(options.issuer)
  if (typeof options.authorization === 'string') assertString(options.authorization, 'options.authorization')
  else assertFunction(options.authorization, 'options.authorization')
  if (options.audience !== undefined) assertString(options.audience, 'options.audience')
  // At most 2^31 - 1 ms: a longer AbortSignal.timeout fires at once (timer overflow).
  const timeoutMs = optionalNumber(options.timeoutMs, 'options.timeoutMs', 10_000, { min: 1, max: 2_147_483_647, integer: true })
  const doFetch: FetchLike = options.fetch ?? ((i, init) => globalThis.fetch(i, init))
  const { issuer, audience } = options
  let meta: Promise<TransmitterMetadata> | undefined = options.metadata ? Promise.resolve(options.metadata) : undefined
  // Metadata passed in gets the checks discovered metadata gets (the docs promise it): it must
  // name this issuer and only https endpoints; every call is refused before any request otherwise.
  const given = options.metadata === undefined ? undefined : metadataProblem(options.metadata, issuer)
  const metadata = (): Promise<TransmitterMetadata> => {
    if (given !== undefined) return Promise.reject(fail(`supplied transmitter metadata ${given}`))
    meta ??= discoverTransmitter(issuer, { fetch: doFetch, signal: AbortSignal.timeout(timeoutMs) }).catch((e: unknown) => { meta = undefined; throw e })
    return meta
  }

  async function endpoint(name: keyof TransmitterMetadata): Promise<URL> {
    const m = await metadata()
    const value = m[name]
    if (typeof value !== 'string') throw fail(`transmitter does not support ${String(name)}`)
    // The access token goes there: never over plain http off loopback (nor to another scheme).
    const url = secureUrl(value)
    if (url === undefined) throw fail(`transmitter metadata ${String(name)} is not an https URL`)
    return url
  }

  async function call(method: string, url: URL, body: unknown, ok: readonly number[], what: string): Promise<{ status: number; json: JSONObject | readonly unknown[] | undefined }> {
    // The timeout bounds the authorization callback, the request and its body, also when one of
    // them ignores the signal.
    const signal = AbortSignal.timeout(timeoutMs)
    let auth: unknown
    try {
      auth = typeof options.authorization === 'function' ? await untilAborted(Promise.resolve(options.authorization()), signal) : options.authorization
    } catch (cause) {
      throw fail(`${what}: the authorization callback failed`, undefined, undefined, cause)
    }
    if (typeof auth !== 'string' || auth.length === 0) throw fail(`${what}: the authorization callback did not return a non-empty string`)
    const headers: Record<string, string> = { accept: 'application/json', authorization: auth }
    if (body !== undefined) headers['content-type'] = 'application/json'
    let response: Response
    try {
      response = await untilAborted(doFetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual', signal }), signal)
    } catch (cause) {
      throw fail(`${what} request failed`, undefined, undefined, cause)
    }
    if (!ok.includes(response.status)) {
      let errBody: JSONObject | undefined
      try {
        const j = await untilAborted(readJSON(response, what), signal)
        if (isPlainObject(j)) errBody = j
      } catch { /* informative only */ }
      throw fail(`${what} answered ${response.status}`, response.status, errBody)
    }
    if (response.status === 204 || response.status === 202) {
      void response.body?.cancel().catch(() => undefined)
      return { status: response.status, json: undefined }
    }
    return { status: response.status, json: await bounded(readJSON(response, what), signal, what, response.status) }
  }

  function config(value: unknown, what: string): StreamConfiguration {
    if (!isPlainObject(value)) throw fail(`${what} did not return a stream configuration`)
    const c = value as JSONObject
    if (typeof c.stream_id !== 'string' || c.stream_id.length === 0) throw fail(`${what} returned no stream_id`)
    if (c.iss !== issuer) throw fail(`${what} returned a stream for another issuer`)
    const aud = typeof c.aud === 'string' ? [c.aud] : Array.isArray(c.aud) ? c.aud : undefined
    if (aud === undefined || aud.length === 0 || !aud.every((a) => typeof a === 'string')) throw fail(`${what} returned a stream without aud`)
    if (audience !== undefined && !aud.includes(audience)) throw fail(`${what} returned a stream for another audience`)
    if (!isPlainObject(c.delivery) || typeof c.delivery.method !== 'string') throw fail(`${what} returned a stream without delivery`)
    // The members StreamConfiguration types: a string events_delivered matched event URIs by
    // substring (`.includes`), a non-string endpoint_url reached the poll receiver.
    const problem = configProblem(c)
    if (problem !== undefined) throw fail(`${what} returned a stream whose ${problem}`)
    return Object.freeze(c) as StreamConfiguration
  }

  /** A configuration or status answered for one stream must be that stream's. */
  function same<T extends { readonly stream_id: string }>(value: T, streamId: string, what: string): T {
    if (value.stream_id !== streamId) throw fail(`${what} returned another stream`)
    return value
  }

  function withId(url: URL, streamId: string): URL {
    assertString(streamId, 'streamId')
    const u = new URL(url)
    u.searchParams.set('stream_id', streamId)
    return u
  }

  function status(value: unknown, what: string): StreamStatus {
    if (!isPlainObject(value) || typeof value.stream_id !== 'string' || !['enabled', 'paused', 'disabled'].includes(value.status as string) || (value.reason !== undefined && typeof value.reason !== 'string')) throw fail(`${what} returned a malformed status`)
    return Object.freeze(value) as unknown as StreamStatus
  }

  return Object.freeze({
    metadata,
    async createStream(properties: StreamProperties): Promise<StreamConfiguration> {
      const r = await call('POST', await endpoint('configuration_endpoint'), properties, [201, 200], 'create stream')
      return config(r.json, 'create stream')
    },
    async getStream(streamId: string): Promise<StreamConfiguration> {
      const r = await call('GET', withId(await endpoint('configuration_endpoint'), streamId), undefined, [200], 'read stream')
      // A transmitter that ignores stream_id and lists every stream: take the one asked for.
      const found = Array.isArray(r.json) ? r.json.find((c) => isPlainObject(c) && c.stream_id === streamId) : r.json
      return same(config(found, 'read stream'), streamId, 'read stream')
    },
    async listStreams(): Promise<readonly StreamConfiguration[]> {
      const r = await call('GET', await endpoint('configuration_endpoint'), undefined, [200], 'list streams')
      const list = Array.isArray(r.json) ? r.json : r.json === undefined ? [] : [r.json]
      return Object.freeze(list.map((c) => config(c, 'list streams')))
    },
    async updateStream(streamId: string, properties: StreamProperties): Promise<StreamConfiguration | undefined> {
      assertString(streamId, 'streamId')
      const r = await call('PATCH', await endpoint('configuration_endpoint'), { ...properties, stream_id: streamId }, [200, 202], 'update stream')
      return r.status === 202 ? undefined : same(config(r.json, 'update stream'), streamId, 'update stream')
    },
    async replaceStream(streamId: string, properties: StreamProperties): Promise<StreamConfiguration | undefined> {
      assertString(streamId, 'streamId')
      const r = await call('PUT', await endpoint('configuration_endpoint'), { ...properties, stream_id: streamId }, [200, 202], 'replace stream')
      return r.status === 202 ? undefined : same(config(r.json, 'replace stream'), streamId, 'replace stream')
    },
    async deleteStream(streamId: string): Promise<void> {
      await call('DELETE', withId(await endpoint('configuration_endpoint'), streamId), undefined, [204, 200], 'delete stream')
    },
    async getStatus(streamId: string): Promise<StreamStatus> {
      const r = await call('GET', withId(await endpoint('status_endpoint'), streamId), undefined, [200], 'read status')
      return same(status(r.json, 'read status'), streamId, 'read status')
    },
    async setStatus(streamId: string, value: StreamStatus['status'], reason?: string): Promise<StreamStatus | undefined> {
      assertString(streamId, 'streamId')
      if (!['enabled', 'paused', 'disabled'].includes(value)) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'status must be enabled, paused or disabled')
      const body = reason === undefined ? { stream_id: streamId, status: value } : { stream_id: streamId, status: value, reason }
      const r = await call('POST', await endpoint('status_endpoint'), body, [200, 202], 'update status')
      return r.status === 202 ? undefined : same(status(r.json, 'update status'), streamId, 'update status')
    },
    async addSubject(streamId: string, subject: SubjectId, verified?: boolean): Promise<void> {
      assertString(streamId, 'streamId')
      const body = verified === undefined ? { stream_id: streamId, subject } : { stream_id: streamId, subject, verified }
      await call('POST', await endpoint('add_subject_endpoint'), body, [200, 204], 'add subject')
    },
    async removeSubject(streamId: string, subject: SubjectId): Promise<void> {
      assertString(streamId, 'streamId')
      await call('POST', await endpoint('remove_subject_endpoint'), { stream_id: streamId, subject }, [204, 200], 'remove subject')
    },
    async requestVerification(streamId: string, state?: string): Promise<void> {
      assertString(streamId, 'streamId')
      await call('POST', await endpoint('verification_endpoint'), state === undefined ? { stream_id: streamId } : { stream_id: streamId, state }, [204, 200], 'verification')
    },
  })
}
