import { describe, expect, it } from 'vitest'
import { VerificationError } from '../../../src/errors/index.js'
import { readTokenRequestForm } from '../../../src/internal/oauth-server.js'

const post = (body: string) => new Request('https://sts.example.com/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })

async function code(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  return err instanceof VerificationError ? err.code : undefined
}

describe('token request form: percent-encoded invalid UTF-8 (review 9)', () => {
  it('refuses a value or name whose percent-decoded bytes are not UTF-8 (no silent U+FFFD)', async () => {
    // %FF and %FE would both read as "https://tool.example.com/\uFFFD": two requests, one meaning.
    expect(await code(readTokenRequestForm(post('grant_type=x&audience=https%3A%2F%2Ftool.example.com%2F%FF'), 65_536))).toBe('ERR_OAUTH_REQUEST_INVALID')
    expect(await code(readTokenRequestForm(post('grant_type=x&scope=read%C3'), 65_536))).toBe('ERR_OAUTH_REQUEST_INVALID')
    expect(await code(readTokenRequestForm(post('grant_type=x&sc%FFope=read'), 65_536))).toBe('ERR_OAUTH_REQUEST_INVALID')
    expect(await code(readTokenRequestForm(post('grant_type=x&scope=%ED%A0%80'), 65_536))).toBe('ERR_OAUTH_REQUEST_INVALID')
  })

  it('still accepts a real U+FFFD, valid multi-byte sequences and a literal % not followed by hex', async () => {
    const form = await readTokenRequestForm(post('a=%EF%BF%BD&b=\uFFFD&c=%C3%A9+x&d=100%&e=%zz%F0%9F%98%80'), 65_536)
    expect(form.get('a')).toBe('\uFFFD')
    expect(form.get('b')).toBe('\uFFFD')
    expect(form.get('c')).toBe('é x')
    expect(form.get('d')).toBe('100%')
    expect(form.get('e')).toBe('%zz😀')
  })
})
