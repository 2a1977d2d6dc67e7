// Review round 4 regressions for agentauth/txn-token (and the token-exchange request it builds on).
import { describe, expect, it } from 'vitest'
import { TOKEN_TYPE, tokenExchangeRequest } from '../../../src/token-exchange/index.js'
import { requestTxnToken, verifyTxnToken } from '../../../src/txn-token/index.js'
import { TRUST_DOMAIN, txnFixture } from '../../helpers/txn-service.js'

describe('unsigned JSON subject tokens (draft §11.2.2) go out as written', () => {
  it('requestTxnToken sends JSON text with spaces and non-ASCII characters, and the service accepts it', async () => {
    const f = await txnFixture()
    const subjectToken = '{"sub": "José García", "note": "nightly run"}'
    let sent: string | null = null
    const fetch = async (input: Request | URL | string, init?: RequestInit) => {
      const request = new Request(input, init)
      sent = new URLSearchParams(await request.clone().text()).get('subject_token')
      return f.fetch(request)
    }
    const res = await requestTxnToken(f.server, f.batch, { subjectToken, subjectTokenType: TOKEN_TYPE.UNSIGNED_JSON, audience: TRUST_DOMAIN, scope: 'reports.read' }, { fetch })
    expect(sent).toBe(subjectToken)
    const verified = await verifyTxnToken(res.txnToken, { trustDomain: TRUST_DOMAIN, keys: [f.tts.jwk], clock: f.clock.now })
    expect(verified.subject).toBe('José García')
  })

  it('still refuses an empty token, a lone surrogate (the form encoder would send U+FFFD instead) and control characters', async () => {
    const server = { tokenEndpoint: 'https://sts.example.com/token' }
    const client = { clientId: 'c', auth: { async applyTo() {} } } as never
    for (const subjectToken of ['', '{"sub":"\ud800"}', '{"sub":\n"x"}']) {
      const err = await tokenExchangeRequest(server, client, { subjectToken, subjectTokenType: TOKEN_TYPE.UNSIGNED_JSON }).then(() => undefined, (e: unknown) => e)
      expect(err).toBeInstanceOf(TypeError)
      expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG_VALUE')
    }
  })
})
