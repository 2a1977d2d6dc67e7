/**
 * Shared Signals for receivers: verify Security Event Tokens (RFC 8417, OpenID SSF 1.0 profile),
 * read typed CAEP 1.0 / RISC 1.0 / SSF events and RFC 9493 subject identifiers, receive SETs by
 * push (RFC 8935) or poll (RFC 8936) without losing any (processed once by `jti` while the dedupe
 * store is healthy, at least once when it fails), manage streams at a
 * transmitter (SSF 1.0 §7–§8), and turn events into revocations your request verifiers honour.
 *
 * Pinned: OpenID SSF 1.0, CAEP 1.0, RISC 1.0 (`openid/sharedsignals@e47d2a0`, final 1.0 text of
 * 2025-08-29); RFC 8417, RFC 8935, RFC 8936, RFC 9493. See {@link SPEC}.
 *
 * @example
 * ```ts
 * import { applyToStore, createPushReceiver, createRedisDedupeCache } from 'agentauth/ssf'
 * import { createRedisRevocationStore } from 'agentauth/stores/redis'
 *
 * const receive = createPushReceiver({
 *   verify: { issuer: 'https://idp.example.com/', audience: 'https://api.example.com', keys: transmitterJwks },
 *   authorization: 'Bearer push-secret',
 *   replayCache: createRedisDedupeCache({ command }),
 *   onEvent: applyToStore(createRedisRevocationStore({ command })),
 * })
 * ```
 *
 * Reachable from `agentauth/ssf`.
 *
 * @module ssf
 */
export { verifySET, decodeSET, type SecurityEventToken, type VerifySETOptions, type DecodeSETOptions, type SETProfile } from './set.js'
export type { JWKS, SETKeys, SETKeyResolver, SETKeyContext } from './keys.js'
export {
  parseSubjectId,
  COMPLEX_SUBJECT_MEMBERS,
  type SubjectId,
  type SimpleSubjectId,
  type AliasesSubjectId,
  type ComplexSubjectId,
  type ComplexSubjectMember,
  type AccountSubjectId,
  type EmailSubjectId,
  type IssSubSubjectId,
  type OpaqueSubjectId,
  type PhoneNumberSubjectId,
  type DIDSubjectId,
  type URISubjectId,
  type JWTIdSubjectId,
  type SAMLAssertionIdSubjectId,
  type IPAddressesSubjectId,
  type ProprietarySubjectId,
} from './subject-id.js'
export { matchSubjectId, type MatchSubjectIdOptions } from './subject-match.js'
export {
  parseEvent,
  type SecurityEvent,
  type EventBase,
  type CAEPCommon,
  type CredentialType,
  type InitiatingEntity,
  type LocalizedText,
  type SessionRevokedEvent,
  type TokenClaimsChangeEvent,
  type CredentialChangeEvent,
  type AssuranceLevelChangeEvent,
  type DeviceComplianceChangeEvent,
  type SessionEstablishedEvent,
  type SessionPresentedEvent,
  type RiskLevelChangeEvent,
  type RISCPlainEvent,
  type AccountDisabledEvent,
  type IdentifierChangedEvent,
  type CredentialCompromiseEvent,
  type VerificationEvent,
  type StreamUpdatedEvent,
  type UnknownEvent,
} from './events.js'
export { EVENT_TYPE_URIS, DELIVERY_METHODS, SET_MEDIA_TYPE, type KnownEventType, type CAEPEventType, type RISCEventType, type SSFEventType } from './uris.js'
export { toDeliveryError, type DeliveryError, type DeliveryErrorCode } from './delivery-error.js'
export { createMemoryDedupeCache, createRedisDedupeCache, type EventDedupeCache, type MemoryDedupeCacheOptions, type RedisDedupeCacheOptions } from './dedupe.js'
export { createPushReceiver, type PushReceiverOptions, type EventHandler, type EventContext } from './push-receiver.js'
export { createPollReceiver, type PollReceiverOptions, type PollReceiver, type PollResult, type BackoffOptions, type FetchLike } from './poll-receiver.js'
export {
  createStreamClient,
  discoverTransmitter,
  ssfConfigurationUrl,
  type StreamClient,
  type StreamClientOptions,
  type DiscoverOptions,
  type TransmitterMetadata,
  type StreamConfiguration,
  type StreamDelivery,
  type StreamProperties,
  type StreamStatus,
} from './stream-client.js'
export { revocationsFromEvent, applyToStore, JWK_THUMBPRINT_FORMAT, type RevocationMappingOptions } from './revocation.js'

/**
 * The specification revisions this module implements.
 *
 * @example
 * ```ts
 * import { SPEC } from 'agentauth/ssf'
 * console.log(SPEC.ssf) // 'OpenID Shared Signals Framework 1.0 …'
 * ```
 */
export const SPEC: Readonly<{ ssf: string; caep: string; risc: string; set: string; push: string; poll: string; subjectIdentifiers: string }> = Object.freeze({
  ssf: 'OpenID Shared Signals Framework 1.0 (openid/sharedsignals@e47d2a0c3c7c860109243221f864da70ed4cba71)',
  caep: 'OpenID Continuous Access Evaluation Profile 1.0',
  risc: 'OpenID RISC Profile 1.0',
  set: 'RFC 8417',
  push: 'RFC 8935',
  poll: 'RFC 8936',
  subjectIdentifiers: 'RFC 9493',
})
