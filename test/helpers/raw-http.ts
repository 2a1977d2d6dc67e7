// Raw HTTP/1.1 on loopback for differential adapter tests: a credentialed fetch Request serialised
// to bytes (header lines editable), and a socket client that returns the server's JSON answer.
import { connect } from 'node:net'

/** What the differential servers answer: status and error code, or the verified caller and body. */
export interface RawOutcome { status: number; code?: string; id?: string; body?: string; method?: string; url?: string }

/** Sends raw bytes to `base` over a socket; resolves with the JSON body of the answer (or its status). */
export function sendRaw(base: string, payload: string): Promise<RawOutcome> {
  const { port } = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(payload))
    let out = ''
    socket.on('data', (d) => { out += d.toString('latin1') })
    socket.on('end', () => {
      const at = out.indexOf('\r\n\r\n')
      const head = out.slice(0, at)
      let body = out.slice(at + 4)
      if (/transfer-encoding: chunked/i.test(head)) body = body.replace(/^[0-9a-f]+\r\n/, '').replace(/\r\n0\r\n\r\n$/, '')
      try {
        resolve(JSON.parse(body) as RawOutcome)
      } catch {
        resolve({ status: Number(head.split(' ')[1]) })
      }
    })
    socket.on('error', reject)
  })
}

/**
 * The HTTP/1.1 bytes of `req` (a request to the public origin): Host, its header lines edited by
 * `edit`, Content-Length for a body, Connection: close. `body` replaces the request's own body;
 * `target` replaces the request target taken from its URL.
 */
export async function serialiseRaw(req: Request, edit: (lines: Array<[string, string]>) => Array<[string, string]> = (l) => l, body?: string, target?: string): Promise<string> {
  const url = new URL(req.url)
  const payload = body ?? (req.body === null ? '' : await req.clone().text())
  let lines: Array<[string, string]> = [['Host', 'api.example.com'], ...[...req.headers].map(([k, v]) => [k, v] as [string, string])]
  if (payload.length > 0) lines.push(['Content-Length', String(Buffer.byteLength(payload))])
  lines.push(['Connection', 'close'])
  lines = edit(lines)
  return `${req.method} ${target ?? url.pathname + url.search} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${payload}`
}
