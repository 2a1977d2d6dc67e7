// Public types of the OAuth tier (access tokens, delegation chains, Txn-Tokens) and of Shared
// Signals events, whose union narrows on `type`.
import { describe, expectTypeOf, it } from 'vitest'
import {
  delegationChain,
  verifyAccessToken,
  verifyDelegation,
  type Actor,
  type ActorMatcher,
  type DelegationPolicy,
  type VerifiedAccessToken,
  type VerifyAccessTokenOptions,
} from '../../src/access-token/index.js'
import {
  parseEvent,
  verifySET,
  type CredentialChangeEvent,
  type RISCPlainEvent,
  type SecurityEvent,
  type SecurityEventToken,
  type SessionRevokedEvent,
  type StreamUpdatedEvent,
  type SubjectId,
  type UnknownEvent,
} from '../../src/ssf/index.js'
import { verifyTxnToken, type VerifiedTxnToken } from '../../src/txn-token/index.js'

declare const event: SecurityEvent
declare const token: VerifiedAccessToken

describe('access tokens and delegation', () => {
  it('VerifiedAccessToken exposes typed, read-only claims and the actor chain', () => {
    expectTypeOf(verifyAccessToken).returns.resolves.toEqualTypeOf<VerifiedAccessToken>()
    expectTypeOf<Pick<VerifiedAccessToken, 'issuer' | 'subject' | 'clientId' | 'audience' | 'scopes' | 'expiresAt' | 'jti'>>().toEqualTypeOf<{
      readonly issuer: string
      readonly subject: string
      readonly clientId: string
      readonly audience: readonly string[]
      readonly scopes: readonly string[]
      readonly expiresAt: number
      readonly jti: string
    }>()
    expectTypeOf(token.actors).toEqualTypeOf<readonly Actor[]>()
    expectTypeOf(token.confirmation).toEqualTypeOf<{ readonly jkt: string } | undefined>()
    expectTypeOf<VerifyAccessTokenOptions['audience']>().toEqualTypeOf<string | readonly string[]>()
    // @ts-expect-error issuer, audience and keys are required: no token is trusted by default
    verifyAccessToken('eyJ…', { audience: 'https://api.example.com' })
  })

  it('delegationChain returns actors current-first; verifyDelegation returns nothing or throws', () => {
    expectTypeOf(delegationChain).returns.toEqualTypeOf<readonly Actor[]>()
    expectTypeOf(delegationChain(token.claims)[0]).toEqualTypeOf<Actor | undefined>()
    expectTypeOf<Pick<Actor, 'sub' | 'iss' | 'trustDomain'>>().toEqualTypeOf<{ readonly sub: string; readonly iss: string | undefined; readonly trustDomain: string | undefined }>()
    expectTypeOf(verifyDelegation).returns.toBeVoid()
    expectTypeOf<readonly ActorMatcher[]>().toExtend<NonNullable<DelegationPolicy['allowedActors']>>()
    expectTypeOf(verifyDelegation).toBeCallableWith(token.actors, { maxDepth: 2, allowedActors: ['spiffe://example.org/agents/planner'] })
  })

  it('Txn-Tokens verify to a typed result', () => {
    expectTypeOf(verifyTxnToken).returns.resolves.toEqualTypeOf<VerifiedTxnToken>()
    expectTypeOf<Pick<VerifiedTxnToken, 'txn' | 'subject' | 'trustDomain' | 'scopes' | 'requestingWorkload'>>().toEqualTypeOf<{ readonly txn: string; readonly subject: string; readonly trustDomain: string; readonly scopes: readonly string[]; readonly requestingWorkload: string }>()
  })
})

describe('Shared Signals events', () => {
  it('narrows the event union by `type`', () => {
    if (event.type === 'session-revoked') expectTypeOf(event).toEqualTypeOf<SessionRevokedEvent>()
    if (event.type === 'credential-change') {
      expectTypeOf(event).toEqualTypeOf<CredentialChangeEvent>()
      expectTypeOf(event.change_type).toEqualTypeOf<'create' | 'revoke' | 'update' | 'delete'>()
    }
    if (event.type === 'stream-updated') expectTypeOf(event.status).toEqualTypeOf<'enabled' | 'paused' | 'disabled'>()
    if (event.type === 'sessions-revoked') expectTypeOf(event).toEqualTypeOf<RISCPlainEvent>()
    if (event.type === 'unknown') expectTypeOf(event).toEqualTypeOf<UnknownEvent>()
    expectTypeOf(event.subject).toEqualTypeOf<SubjectId | undefined>()
    expectTypeOf(event.uri).toBeString()
  })

  it('a switch over the typed events leaves only the plain RISC events', () => {
    function describeEvent(e: SecurityEvent): string {
      switch (e.type) {
        case 'stream-updated':
          return (e satisfies StreamUpdatedEvent).status
        case 'session-revoked':
        case 'credential-change':
        case 'token-claims-change':
        case 'assurance-level-change':
        case 'device-compliance-change':
        case 'session-established':
        case 'session-presented':
        case 'risk-level-change':
        case 'account-disabled':
        case 'identifier-changed':
        case 'credential-compromise':
        case 'verification':
        case 'unknown':
          return e.type
        default:
          expectTypeOf(e).toEqualTypeOf<RISCPlainEvent>()
          return e.type
      }
    }
    expectTypeOf(describeEvent).returns.toBeString()
    // @ts-expect-error 'session-deleted' is not an event type
    const notAType: SecurityEvent['type'] = 'session-deleted'
    void notAType
  })

  it('verifySET gives the SET with its parsed events', () => {
    expectTypeOf(verifySET).returns.resolves.toEqualTypeOf<SecurityEventToken>()
    expectTypeOf<SecurityEventToken['events']>().toEqualTypeOf<readonly SecurityEvent[]>()
    expectTypeOf(parseEvent).returns.toEqualTypeOf<SecurityEvent>()
  })
})
