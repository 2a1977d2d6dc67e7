// A real OpenID Provider (oidc-provider v8) with CIBA poll and ping on loopback, plus an https
// notification endpoint with a throwaway self-signed certificate (CIBA requires https for the
// client notification endpoint; the provider trusts that certificate through its httpOptions).
import 'reflect-metadata'
import { createServer as createHttpsServer } from 'node:https'
import { Agent as HttpsAgent } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import * as x509 from '@peculiar/x509'
import { exportJWK, generateKeyPair } from 'jose'
import * as oidcProvider from 'oidc-provider'
import { GRANT_TYPE_CIBA } from '../../src/ciba/index.js'
import type { PublicJWK } from '../../src/signer/index.js'

// oidc-provider ships no types (test/helpers/oauth-oidc-provider.d.ts declares the constructor only).
type ErrorClass = new (description?: string) => Error
interface ProviderInternals {
  callback(): (req: never, res: never) => void
  Grant: new (init: { clientId: string; accountId: string }) => { addOIDCScope(scope: string): void; save(): Promise<string> }
  backchannelResult(request: unknown, result: unknown): Promise<void>
}
const { default: Provider, errors } = oidcProvider as unknown as {
  default: new (issuer: string, configuration: unknown) => ProviderInternals
  errors: { AccessDenied: ErrorClass; InvalidBindingMessage: ErrorClass }
}

export interface CibaProvider {
  issuer: string
  server: { issuer: string; tokenEndpoint: string; backchannelAuthenticationEndpoint: string }
  /** Backchannel requests the provider accepted, by auth_req_id (what the "authentication device" saw). */
  requests: Map<string, { accountId: string; bindingMessage: string | undefined; clientId: string }>
  approve(authReqId: string): Promise<void>
  deny(authReqId: string): Promise<void>
  close(): Promise<void>
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n')
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`
}

/** An https server on 127.0.0.1:0 with a fresh self-signed certificate for that address. */
export async function selfSignedHttps(handler: (request: Request) => Promise<Response>): Promise<{ url: string; ca: string; close: () => Promise<void> }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
  const keys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=127.0.0.1',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
    signingAlgorithm: alg,
    keys,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]), new x509.BasicConstraintsExtension(false)],
  })
  const certPem = cert.toString('pem')
  const keyPem = pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', keys.privateKey))
  const server = createHttpsServer({ key: keyPem, cert: certPem }, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const headers = new Headers()
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks)
      handler(new Request(`https://127.0.0.1${req.url}`, { method: req.method, headers, ...(body === undefined ? {} : { body }) }))
        .then(async (response) => {
          res.statusCode = response.status
          response.headers.forEach((v, k) => res.setHeader(k, v))
          res.end(Buffer.from(await response.arrayBuffer()))
        })
        .catch(() => {
          res.statusCode = 500
          res.end()
        })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `https://127.0.0.1:${port}`, ca: certPem, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/**
 * Starts oidc-provider with CIBA (poll and ping), two clients authenticating with private_key_jwt
 * (`agent-broker` polls, `agent-broker-ping` is pinged at `notificationEndpoint`), and accounts
 * resolved from `login_hint`.
 */
export async function startCibaProvider(options: { clientJwk: PublicJWK; notificationEndpoint: string; notificationCa: string }): Promise<CibaProvider> {
  const requests: CibaProvider['requests'] = new Map()
  const pending = new Map<string, unknown>()
  const agent = new HttpsAgent({ ca: options.notificationCa })
  const httpServer: Server = (await import('node:http')).createServer()
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`
  const common = {
    grant_types: [GRANT_TYPE_CIBA],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    id_token_signed_response_alg: 'ES256',
    jwks: { keys: [options.clientJwk] },
  }
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  const opKey = { ...(await exportJWK(privateKey)), kid: 'op-1', alg: 'ES256', use: 'sig' }
  const provider: ProviderInternals = new Provider(issuer, {
    jwks: { keys: [opKey] },
    cookies: { keys: ['ciba-interop-test-cookie-key'] },
    clients: [
      { ...common, client_id: 'agent-broker', backchannel_token_delivery_mode: 'poll' },
      { ...common, client_id: 'agent-broker-ping', backchannel_token_delivery_mode: 'ping', backchannel_client_notification_endpoint: options.notificationEndpoint },
    ],
    features: {
      devInteractions: { enabled: false },
      ciba: {
        enabled: true,
        deliveryModes: ['poll', 'ping'],
        async processLoginHint(_ctx: unknown, loginHint: string) {
          return loginHint.endsWith('@example.com') ? loginHint : undefined
        },
        async verifyUserCode() {
          return undefined
        },
        async validateRequestContext() {
          return undefined
        },
        async validateBindingMessage(_ctx: unknown, bindingMessage: string | undefined) {
          if (bindingMessage !== undefined && !/^[A-Za-z0-9-]{1,20}$/.test(bindingMessage)) throw new errors.InvalidBindingMessage('binding_message is not acceptable')
        },
        async triggerAuthenticationDevice(_ctx: unknown, request: { jti: string; accountId: string; clientId: string; params: Record<string, unknown> }) {
          pending.set(request.jti, request)
          requests.set(request.jti, { accountId: request.accountId, clientId: request.clientId, bindingMessage: request.params.binding_message as string | undefined })
        },
      },
    },
    async findAccount(_ctx: unknown, id: string) {
      return { accountId: id, async claims() { return { sub: id } } }
    },
    httpOptions: () => ({ agent }),
  })
  httpServer.on('request', provider.callback() as never)
  const server = {
    issuer,
    tokenEndpoint: `${issuer}/token`,
    backchannelAuthenticationEndpoint: `${issuer}/backchannel`,
  }
  return {
    issuer,
    server,
    requests,
    async approve(authReqId) {
      const request = pending.get(authReqId) as { accountId: string; clientId: string }
      const grant = new provider.Grant({ clientId: request.clientId, accountId: request.accountId })
      grant.addOIDCScope('openid')
      await grant.save()
      await provider.backchannelResult(request, grant)
    },
    async deny(authReqId) {
      await provider.backchannelResult(pending.get(authReqId), new errors.AccessDenied('the user declined'))
    },
    close: () => new Promise<void>((resolve) => httpServer.close(() => resolve())),
  }
}
