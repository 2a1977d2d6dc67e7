// Public types of the inbound request verifier: the result shape, the required policy fields and
// how identifier matchers plug in as `authorize`.
import { describe, expectTypeOf, it } from 'vitest'
import type { Actor, VerifiedAccessToken } from '../../src/access-token/index.js'
import type { TrustBundleSource } from '../../src/bundle/index.js'
import { matchAny, matchId, matchOneOf, matchTrustDomain, type IdentifierMatcher, type WorkloadIdentifier } from '../../src/identifier/index.js'
import {
  createRequestVerifier,
  errorResponse,
  verifyRequest,
  type Authorizer,
  type AuthorizationContext,
  type ProofKind,
  type RequestVerifier,
  type RequestVerifierPolicy,
  type VerifiedProof,
  type VerifiedRequest,
} from '../../src/server/index.js'
import type { VerifiedTxnToken } from '../../src/txn-token/index.js'
import type { VerifiedWIMSERequest } from '../../src/wimse-httpsig/index.js'
import type { VerifiedWIT } from '../../src/wit/index.js'
import type { VerifiedWPT } from '../../src/wpt/index.js'

declare const trustBundles: TrustBundleSource
declare const request: Request

describe('VerifiedRequest', () => {
  it('has the caller, its WIT, the proof and the optional OAuth-tier tokens', () => {
    expectTypeOf<VerifiedRequest['workload']>().toEqualTypeOf<WorkloadIdentifier>()
    expectTypeOf<VerifiedRequest['wit']>().toEqualTypeOf<VerifiedWIT>()
    expectTypeOf<VerifiedRequest['proof']>().toEqualTypeOf<VerifiedProof>()
    expectTypeOf<VerifiedRequest['accessToken']>().toEqualTypeOf<VerifiedAccessToken | undefined>()
    expectTypeOf<VerifiedRequest['txnToken']>().toEqualTypeOf<VerifiedTxnToken | undefined>()
    expectTypeOf<VerifiedRequest['delegation']>().toEqualTypeOf<readonly Actor[]>()
    expectTypeOf<VerifiedRequest['url']>().toBeString()
  })

  it('is read-only', () => {
    const caller = {} as VerifiedRequest
    // @ts-expect-error the result is frozen and typed readonly
    caller.workload = caller.workload
  })

  it('narrows the proof by its `type` discriminant', () => {
    const proof = {} as VerifiedProof
    expectTypeOf(proof.type).toEqualTypeOf<'wpt' | 'httpsig'>()
    if (proof.type === 'wpt') {
      expectTypeOf(proof.wpt).toEqualTypeOf<VerifiedWPT>()
      expectTypeOf(proof).not.toHaveProperty('signature')
    } else {
      expectTypeOf(proof.signature).toEqualTypeOf<VerifiedWIMSERequest>()
      expectTypeOf(proof).not.toHaveProperty('wpt')
    }
  })
})

describe('RequestVerifierPolicy', () => {
  const complete = { trustBundles, origin: 'https://api.example.com', proof: 'either', authorize: matchAny() } satisfies RequestVerifierPolicy

  it('accepts a complete policy and returns a RequestVerifier', () => {
    expectTypeOf(createRequestVerifier(complete)).toEqualTypeOf<RequestVerifier>()
    expectTypeOf(createRequestVerifier(complete)).returns.resolves.toEqualTypeOf<VerifiedRequest>()
    expectTypeOf(verifyRequest).returns.resolves.toEqualTypeOf<VerifiedRequest>()
    expectTypeOf<RequestVerifierPolicy['origin']>().toEqualTypeOf<string | readonly string[]>()
    expectTypeOf<ProofKind>().toEqualTypeOf<'wpt' | 'httpsig' | 'either'>()
  })

  it('makes every trust-deciding field required', () => {
    // @ts-expect-error authorize is required (no implicit "allow everyone")
    createRequestVerifier({ trustBundles, origin: 'https://api.example.com', proof: 'wpt' })
    // @ts-expect-error origin is required (audiences are never taken from Host)
    createRequestVerifier({ trustBundles, proof: 'wpt', authorize: matchAny() })
    // @ts-expect-error proof is required
    createRequestVerifier({ trustBundles, origin: 'https://api.example.com', authorize: matchAny() })
    // @ts-expect-error trustBundles is required
    createRequestVerifier({ origin: 'https://api.example.com', proof: 'wpt', authorize: matchAny() })
    // @ts-expect-error proof must be one of the known kinds
    createRequestVerifier({ ...complete, proof: 'bearer' })
  })

  it('accepts identifier matchers, async callbacks and context-aware callbacks as authorize', () => {
    expectTypeOf(matchId('spiffe://example.org/agent')).toEqualTypeOf<IdentifierMatcher>()
    expectTypeOf<IdentifierMatcher>().toExtend<Authorizer>()
    expectTypeOf(matchOneOf(matchTrustDomain('example.org'), matchId('wimse://partner.example/bot'))).toExtend<RequestVerifierPolicy['authorize']>()
    expectTypeOf<Authorizer>().parameter(1).toEqualTypeOf<AuthorizationContext>()
    expectTypeOf<Authorizer>().returns.toEqualTypeOf<boolean | Promise<boolean>>()
    const byMethod: Authorizer = async (id, ctx) => id.trustDomain === 'example.org' && ctx.method === 'GET' && ctx.proof.type === 'wpt'
    createRequestVerifier({ ...complete, authorize: byMethod })
    // @ts-expect-error an authorizer must return a boolean, not a string
    createRequestVerifier({ ...complete, authorize: (id: WorkloadIdentifier) => id.id })
  })

  it('errorResponse turns anything caught into a Response', () => {
    expectTypeOf(errorResponse).parameter(0).toBeUnknown()
    expectTypeOf(errorResponse(new Error('x'))).toEqualTypeOf<Response>()
    expectTypeOf(createRequestVerifier(complete)).toBeCallableWith(request)
  })
})
