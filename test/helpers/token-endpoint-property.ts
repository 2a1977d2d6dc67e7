// Shared check of the token-endpoint property tests: post one form (authenticated by `authorize`)
// and expect either a 200 with an access token or a 400/401 OAuth error whose cause, reported to
// onError, carries a code. Never a 5xx, always `Cache-Control: no-store`.
import { expect } from 'vitest'

export async function expectCodedTokenAnswer(
  handler: (request: Request) => Promise<Response>,
  endpoint: string,
  params: Record<string, string>,
  authorize: (body: URLSearchParams, headers: Headers) => Promise<unknown>,
  errors: readonly unknown[],
): Promise<void> {
  const body = new URLSearchParams(params)
  const headers = new Headers()
  await authorize(body, headers)
  headers.set('content-type', 'application/x-www-form-urlencoded')
  const before = errors.length
  const response = await handler(new Request(endpoint, { method: 'POST', headers, body }))
  expect(response.headers.get('cache-control')).toBe('no-store')
  const json = (await response.json()) as { error?: string; access_token?: string }
  if (response.status === 200) {
    expect(typeof json.access_token).toBe('string')
    return
  }
  expect([400, 401]).toContain(response.status)
  expect(typeof json.error).toBe('string')
  expect(typeof (errors[before] as { code?: unknown } | undefined)?.code).toBe('string')
}
