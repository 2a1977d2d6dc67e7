// Internal: the request as the verifier reads it. A fetch `Request` is one source; a runtime's own
// request object is another (agentauth/adapters/node reads a Node IncomingMessage directly, so a
// verified request never pays for building a fetch Request it does not need). Both sources answer
// exactly what the Request would: combined field values as `Headers.get`, the serialised URL, the
// normalised method, and the body read at most once, bounded.
import { VerificationError } from '../errors/index.js'
import { messageBody, type DigestBody } from '../httpsig/content-digest.js'
import { readerSection, type FieldSection } from '../httpsig/message.js'
import { readRequestFields, type RequestFields } from './extract.js'
import type { VerifiedRequest } from './create-verifier.js'

/** One inbound request, whatever it was read from. */
export interface Inbound {
  /** Normalised as a fetch Request normalises it (`get` → `GET`). */
  readonly method: string
  /** The serialised absolute URL (`new URL(…).href`). */
  readonly url: string
  /** `new URL(url)`, when the source already has it (read-only by contract). */
  readonly parsedURL?: URL | undefined
  /** The fields the verifier needs, read in one pass that refuses more than `maxHeaderBytes`. */
  fields(maxHeaderBytes: number): RequestFields
  /** The combined value of any field, as `Headers.get` returns it. */
  get(name: string): string | null
  /** Field lines for HTTP-signature components. */
  section(read: (name: string) => string | null): FieldSection
  /** Whether the request has a body (a fetch Request's `body !== null`). */
  readonly hasBody: boolean
  /** The body for a Content-Digest check, bounded by `maxBytes`; the handler can still read it. */
  body(maxBytes: number): DigestBody
  /** The message handed to the HTTP-signature verifier (components are read through `section`). */
  readonly message: Request | { readonly method: string; readonly url: string }
}

/** The verifier's entry point for sources other than a fetch Request. */
export type InboundVerifier = (inbound: Inbound) => Promise<VerifiedRequest>

/**
 * Key of the {@link InboundVerifier} attached to every function `createRequestVerifier` returns.
 * Module-private: only this package's adapters can reach it; any other function passed as a
 * verifier gets a fetch Request as documented.
 */
export const INBOUND: unique symbol = Symbol('agentauth.server.inbound')

/** The inbound entry point of a verifier from `createRequestVerifier`, if it is one. */
export function inboundVerifierOf(verifier: unknown): InboundVerifier | undefined {
  if (typeof verifier !== 'function') return undefined
  const v = (verifier as { [INBOUND]?: unknown })[INBOUND]
  return typeof v === 'function' ? (v as InboundVerifier) : undefined
}

/** Wraps a fetch Request (its body is read from a clone). */
export function inboundFromRequest(request: Request): Inbound {
  return new RequestInbound(request)
}

// A class rather than an object of closures: one allocation per request (allocations next to a
// signature verification slow the verification itself, see docs/benchmarks.md).
class RequestInbound implements Inbound {
  readonly method: string
  readonly url: string
  readonly hasBody: boolean
  readonly message: Request
  readonly #headers: Headers
  constructor(request: Request) {
    this.message = request
    this.method = request.method
    this.url = request.url
    this.hasBody = request.body !== null
    this.#headers = request.headers
  }

  fields(max: number): RequestFields {
    return readRequestFields(this.#headers, max)
  }

  get(name: string): string | null {
    return this.#headers.get(name)
  }

  section(read: (name: string) => string | null): FieldSection {
    return readerSection(read, this.#headers)
  }

  body(max: number): DigestBody {
    return messageBody(this.message, max)
  }
}

/** Thrown by a source whose header section fetch could not represent. */
export function headerInvalid(cause?: unknown): VerificationError {
  return new VerificationError('ERR_HEADER_INVALID', 'a request header cannot be represented', { status: 400, ...(cause === undefined ? {} : { cause }) })
}
