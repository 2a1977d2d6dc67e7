// Request bodies: read once, bounded, so the digest covers exactly what is sent and a 307/308
// redirect can send the same bytes again.
import { VerificationError, codedTypeError } from '../errors/index.js'
import { readBody } from '../httpsig/content-digest.js'

/**
 * The body of `request` as bytes (null when it has none). Streams are read to the end and cancelled
 * as soon as they pass `maxBytes`; a declared `Content-Length` above the limit fails before reading.
 */
export async function readRequestBody(request: Request, maxBytes: number): Promise<Uint8Array | null> {
  if (request.body === null) return null
  if (request.bodyUsed) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'the request body was already used')
  const declared = request.headers.get('content-length')
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    await request.body.cancel().catch(() => undefined)
    throw new VerificationError('ERR_BODY_TOO_LARGE', `the request body exceeds ${maxBytes} bytes`, { status: 413 })
  }
  return readBody(request.body, maxBytes)
}
