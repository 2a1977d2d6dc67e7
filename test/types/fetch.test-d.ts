// Public types of the outbound side: fetch middleware composes with plain function types, and the
// middleware exported by other modules (token exchange, Txn-Token propagation) is the same type.
import { describe, expectTypeOf, it } from 'vitest'
import {
  composeFetch,
  localCredentials,
  workloadAuth,
  type FetchLike,
  type FetchMiddleware,
  type OutboundCredentials,
  type OutboundRequest,
  type RedirectPolicy,
  type WorkloadAuthOptions,
} from '../../src/fetch/index.js'
import type { Signer } from '../../src/signer/index.js'
import { tokenExchange, type FetchMiddleware as TokenExchangeMiddleware } from '../../src/token-exchange/index.js'
import { txnTokenPropagation } from '../../src/txn-token/index.js'

declare const signer: Signer
declare const credentials: OutboundCredentials

describe('fetch middleware', () => {
  it('FetchLike is shaped like the global fetch, and middleware maps one to another', () => {
    expectTypeOf<FetchLike>().parameters.toEqualTypeOf<[input: Request | URL | string, init?: RequestInit]>()
    expectTypeOf<FetchLike>().returns.resolves.toEqualTypeOf<Response>()
    expectTypeOf<FetchMiddleware>().toEqualTypeOf<(next: FetchLike) => FetchLike>()
    expectTypeOf(fetch).toExtend<FetchLike>()
  })

  it('composeFetch takes a base fetch and any number of middleware', () => {
    const userAgent: FetchMiddleware = (next) => (input, init) => next(input, { ...init, headers: { 'user-agent': 'agent/1.0' } })
    const auth = workloadAuth({ credentials, origins: ['https://api.example.com'] })
    expectTypeOf(auth).toEqualTypeOf<FetchMiddleware>()
    expectTypeOf(composeFetch(fetch, userAgent, auth)).toEqualTypeOf<FetchLike>()
    expectTypeOf(composeFetch).toBeCallableWith(fetch)
    // @ts-expect-error middleware are `(next) => fetch`, not fetch functions
    composeFetch(fetch, fetch)
  })

  it('middleware from other modules is the same type and composes', () => {
    expectTypeOf<TokenExchangeMiddleware>().toEqualTypeOf<FetchMiddleware>()
    expectTypeOf(tokenExchange).returns.toEqualTypeOf<FetchMiddleware>()
    expectTypeOf(txnTokenPropagation).returns.toEqualTypeOf<FetchMiddleware>()
  })

  it('credentials return headers for one request, never keys or tokens', () => {
    expectTypeOf(localCredentials({ signer, wit: 'eyJ…', proof: 'httpsig' })).toEqualTypeOf<OutboundCredentials>()
    expectTypeOf<OutboundCredentials['authorize']>().parameter(0).toEqualTypeOf<OutboundRequest>()
    expectTypeOf<OutboundCredentials['authorize']>().returns.resolves.toEqualTypeOf<Headers>()
    expectTypeOf<WorkloadAuthOptions['redirects']>().toEqualTypeOf<RedirectPolicy | undefined>()
    // @ts-expect-error the allow-list of origins is required: credentials never go to any host
    workloadAuth({ credentials })
    // @ts-expect-error the proof kind is 'wpt' or 'httpsig'
    localCredentials({ signer, wit: 'eyJ…', proof: 'either' })
  })
})
