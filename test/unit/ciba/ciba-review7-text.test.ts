import { describe, expect, it } from 'vitest'
import { backchannelAuthenticationRequest } from '../../../src/ciba/index.js'
import { client, fakeOP, OP } from '../../helpers/ciba-fake-op.js'

describe('backchannelAuthenticationRequest text parameters (review 7)', () => {
  it.each([
    ['a C1 line break (NEL)', 'PAY-4711\u0085approve all'],
    ['a C1 control', 'PAY\u009b4711'],
    ['a right-to-left override', 'PAY-\u202e1174'],
    ['an invisible tag character', 'PAY-4711\u{e0041}'],
    ['a zero-width space', 'PAY\u200b4711'],
    ['a line separator', 'PAY-4711\u2028approve all'],
    ['a lone surrogate', 'PAY-\ud8004711'],
  ])('refuses a binding message with %s', async (_name, bindingMessage) => {
    const op = fakeOP()
    await expect(backchannelAuthenticationRequest(OP, client, { scope: 'openid', loginHint: 'alice@example.com', bindingMessage }, { fetch: op.fetch })).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_VALUE',
    })
    expect(op.requests).toHaveLength(0)
  })

  it('refuses the same characters in login_hint and user_code', async () => {
    await expect(backchannelAuthenticationRequest(OP, client, { scope: 'openid', loginHint: 'alice\u202e@example.com' }, { fetch: fakeOP().fetch })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    await expect(backchannelAuthenticationRequest(OP, client, { scope: 'openid', loginHint: 'a', userCode: '12\u008534' }, { fetch: fakeOP().fetch })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
  })

  it('still sends non-ASCII letters, punctuation and emoji', async () => {
    const op = fakeOP()
    await backchannelAuthenticationRequest(OP, client, { scope: 'openid', loginHint: 'zoë@example.com', bindingMessage: 'Überweisung 42 € ✅' }, { fetch: op.fetch })
    expect(op.requests[0]!.form.get('binding_message')).toBe('Überweisung 42 € ✅')
    expect(op.requests[0]!.form.get('login_hint')).toBe('zoë@example.com')
  })
})
