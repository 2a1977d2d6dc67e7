// Bounded body reading for untrusted HTTP messages (push bodies, poll requests and responses,
// stream-management JSON): the declared length is checked first, then the stream is cut off at
// the limit, so an endless body never reaches memory.
import { VerificationError } from '../errors/index.js'
import { decodeUtf8Strict, joinChunks } from '../internal/bytes.js'

/** Reads at most `maxBytes` of a body; throws ERR_INPUT_TOO_LARGE beyond. */
export async function readBoundedBytes(message: Request | Response, maxBytes: number): Promise<Uint8Array> {
  const declared = message.headers.get('content-length')
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    await message.body?.cancel().catch(() => undefined)
    throw new VerificationError('ERR_INPUT_TOO_LARGE', `body exceeds ${maxBytes} bytes`)
  }
  if (message.body === null) return new Uint8Array(0)
  const reader = message.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw new VerificationError('ERR_INPUT_TOO_LARGE', `body exceeds ${maxBytes} bytes`)
    }
    chunks.push(value)
  }
  return joinChunks(chunks, size)
}

/** Reads a bounded body as strict UTF-8 text. */
export async function readBoundedText(message: Request | Response, maxBytes: number): Promise<string> {
  const bytes = await readBoundedBytes(message, maxBytes)
  try {
    return decodeUtf8Strict(bytes)
  } catch (cause) {
    throw new VerificationError('ERR_JSON_INVALID', 'body is not valid UTF-8', { cause })
  }
}

/** Media type of a Content-Type value without parameters, lower-cased. */
export function mediaType(value: string | null): string | undefined {
  if (value === null) return undefined
  return value.split(';', 1)[0]!.trim().toLowerCase()
}
