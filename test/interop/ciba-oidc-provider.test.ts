// Our CIBA client against a real OpenID Provider: oidc-provider v8 on loopback with CIBA poll and
// ping. The user's decision is simulated on the provider side (backchannelResult with a Grant, or
// AccessDenied), exactly where an authentication device would report it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  backchannelAuthenticationRequest,
  cibaApproval,
  cibaTokenRequest,
  createCibaNotificationWaiter,
  createCibaPingHandler,
  createClientNotificationToken,
  pollCibaToken,
  processBackchannelAuthenticationResponse,
  processCibaTokenResponse,
} from '../../src/ciba/index.js'
import { privateKeyJwt } from '../../src/client-auth/index.js'
import { ProtocolError } from '../../src/errors/index.js'
import { decodeJWT, oauthTestSigner, type TestSigner } from '../helpers/oauth-signer.js'
import { selfSignedHttps, startCibaProvider, type CibaProvider } from '../helpers/ciba-provider.js'

let op: CibaProvider
let signer: TestSigner
let notifications: Awaited<ReturnType<typeof selfSignedHttps>>
const clientNotificationToken = createClientNotificationToken()
const waiter = createCibaNotificationWaiter()
const pings: string[] = []

beforeAll(async () => {
  signer = await oauthTestSigner('ES256', 'broker-1')
  const handler = createCibaPingHandler({
    clientNotificationToken,
    onNotification: (id) => {
      pings.push(id)
      waiter.onNotification(id)
    },
  })
  notifications = await selfSignedHttps(handler)
  op = await startCibaProvider({ clientJwk: signer.jwk, notificationEndpoint: `${notifications.url}/ciba/notify`, notificationCa: notifications.ca })
}, 30_000)

afterAll(async () => {
  await Promise.all([op?.close(), notifications?.close()])
})

// Polls a real provider without waiting real seconds: sleep yields, the clock is real.
const quickSleep = (_ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => (signal?.aborted ? reject(signal.reason) : setTimeout(resolve, 10)))

describe('CIBA against oidc-provider', () => {
  it('poll mode: the user approves and the client receives tokens', async () => {
    const client = { clientId: 'agent-broker', auth: privateKeyJwt(signer) }
    const pending = await processBackchannelAuthenticationResponse(
      await backchannelAuthenticationRequest(op.server, client, { scope: 'openid', loginHint: 'alice@example.com', bindingMessage: 'PAY-4711' }),
    )
    expect(pending.expiresIn).toBeGreaterThan(0)
    expect(pending.interval).toBe(5) // oidc-provider sends no interval: the CIBA default applies
    expect(op.requests.get(pending.authReqId)).toMatchObject({ accountId: 'alice@example.com', bindingMessage: 'PAY-4711', clientId: 'agent-broker' })
    let polls = 0
    const sleep = async (ms: number, signal?: AbortSignal) => {
      polls++
      if (polls === 3) await op.approve(pending.authReqId)
      await quickSleep(ms, signal)
    }
    const tokens = await pollCibaToken(op.server, client, pending, { sleep })
    expect(polls).toBe(3)
    expect(tokens.accessToken.length).toBeGreaterThan(10)
    expect(tokens.tokenType).toBe('Bearer')
    const id = decodeJWT(tokens.idToken!)
    expect(id.payload).toMatchObject({ sub: 'alice@example.com', aud: 'agent-broker', iss: op.issuer, 'urn:openid:params:jwt:claim:auth_req_id': pending.authReqId })
  })

  it('poll mode: a denial becomes ERR_APPROVAL_DENIED, and cibaApproval resolves false', async () => {
    const client = { clientId: 'agent-broker', auth: privateKeyJwt(signer) }
    const pending = await processBackchannelAuthenticationResponse(await backchannelAuthenticationRequest(op.server, client, { scope: 'openid', loginHint: 'bob@example.com' }))
    await op.deny(pending.authReqId)
    const err = await pollCibaToken(op.server, client, pending, { sleep: quickSleep }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProtocolError)
    expect(err).toMatchObject({ code: 'ERR_APPROVAL_DENIED', error: 'access_denied' })

    const approve = cibaApproval({
      server: op.server,
      client,
      request: (ctx: { user: string }) => ({ scope: 'openid', loginHint: ctx.user, bindingMessage: 'DELETE-REPO' }),
      sleep: async (ms, signal) => {
        const latest = [...op.requests.keys()].at(-1)!
        if (op.requests.get(latest)!.accountId === 'carol@example.com') await op.deny(latest).catch(() => undefined)
        await quickSleep(ms, signal)
      },
    })
    await expect(approve({ user: 'carol@example.com' })).resolves.toBe(false)
  })

  it('ping mode: the provider pings our https endpoint, then one token request succeeds', async () => {
    const client = { clientId: 'agent-broker-ping', auth: privateKeyJwt(signer) }
    const pending = await processBackchannelAuthenticationResponse(
      await backchannelAuthenticationRequest(op.server, client, { scope: 'openid', loginHint: 'dave@example.com', clientNotificationToken }),
    )
    const notified = waiter.wait(pending.authReqId, { signal: AbortSignal.timeout(10_000) })
    // Before the decision the token endpoint says authorization_pending.
    const early = await processCibaTokenResponse(await cibaTokenRequest(op.server, client, { authReqId: pending.authReqId })).catch((e: unknown) => e)
    expect(early).toMatchObject({ code: 'ERR_OAUTH_ERROR', error: 'authorization_pending' })
    await op.approve(pending.authReqId)
    await notified
    expect(pings).toContain(pending.authReqId)
    const tokens = await processCibaTokenResponse(await cibaTokenRequest(op.server, client, { authReqId: pending.authReqId }))
    expect(decodeJWT(tokens.idToken!).payload.sub).toBe('dave@example.com')
  })

  it('ping mode through cibaApproval: approval resolves true, denial false', async () => {
    const client = { clientId: 'agent-broker-ping', auth: privateKeyJwt(signer) }
    const approve = cibaApproval({
      server: op.server,
      client,
      delivery: { clientNotificationToken, waiter },
      request: (ctx: { user: string }) => ({ scope: 'openid', loginHint: ctx.user, bindingMessage: 'WIRE-100' }),
    })
    const decide = (user: string, yes: boolean) => {
      const watch = setInterval(() => {
        for (const [id, r] of op.requests) {
          if (r.accountId === user) {
            clearInterval(watch)
            void (yes ? op.approve(id) : op.deny(id))
          }
        }
      }, 5)
    }
    decide('erin@example.com', true)
    await expect(approve({ user: 'erin@example.com' })).resolves.toBe(true)
    decide('frank@example.com', false)
    await expect(approve({ user: 'frank@example.com' })).resolves.toBe(false)
  })

  it('surfaces provider refusals: an unknown user and a binding message it rejects', async () => {
    const client = { clientId: 'agent-broker', auth: privateKeyJwt(signer) }
    const unknown = await processBackchannelAuthenticationResponse(await backchannelAuthenticationRequest(op.server, client, { scope: 'openid', loginHint: 'mallory@evil.example' })).catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(ProtocolError)
    expect((unknown as ProtocolError).code).toBe('ERR_OAUTH_ERROR')
    const binding = await processBackchannelAuthenticationResponse(await backchannelAuthenticationRequest(op.server, client, { scope: 'openid', loginHint: 'alice@example.com', bindingMessage: 'not allowed here!' })).catch((e: unknown) => e)
    expect(binding).toMatchObject({ code: 'ERR_OAUTH_ERROR', error: 'invalid_binding_message' })
  })

  it('a wrong notification token is refused by our ping endpoint', async () => {
    const res = await fetch(`${notifications.url}/ciba/notify`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong-token-wrong-token-wrong', 'content-type': 'application/json' },
      body: '{"auth_req_id":"x"}',
      // @ts-expect-error undici-specific: trust the throwaway certificate for this call only
      dispatcher: new (await import('undici')).Agent({ connect: { ca: notifications.ca } }),
    })
    expect(res.status).toBe(401)
    expect(pings).not.toContain('x')
  })
})
