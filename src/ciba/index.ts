/**
 * Human approval with OpenID CIBA (Client-Initiated Backchannel Authentication, {@link SPEC}): a
 * broker or token service asks a person, on their own device, to approve a high-risk action
 * before a token is issued. Client side only: `backchannelAuthenticationRequest` →
 * `processBackchannelAuthenticationResponse`, then poll (`pollCibaToken`) or ping
 * (`createCibaPingHandler` + `createCibaNotificationWaiter`, then `cibaTokenRequest` →
 * `processCibaTokenResponse`). `cibaApproval` wraps it all as an approval hook returning `true`
 * (approved) or `false` (denied / expired).
 *
 * Client authentication comes from `agentauth/client-auth` (`privateKeyJwt`, `witClientAuth`).
 *
 * @example
 * ```ts
 * import { backchannelAuthenticationRequest, processBackchannelAuthenticationResponse, pollCibaToken } from 'agentauth/ciba'
 *
 * const pending = await processBackchannelAuthenticationResponse(
 *   await backchannelAuthenticationRequest(op, client, { scope: 'openid', loginHint: 'alice@example.com', bindingMessage: 'PAY-4711' }),
 * )
 * const tokens = await pollCibaToken(op, client, pending) // ERR_APPROVAL_DENIED / ERR_APPROVAL_EXPIRED otherwise
 * ```
 *
 * Reachable from `agentauth/ciba`.
 *
 * @module ciba
 */
export { SPEC, GRANT_TYPE_CIBA, type CibaServer } from './constants.js'
export {
  backchannelAuthenticationRequest,
  processBackchannelAuthenticationResponse,
  type BackchannelAuthenticationParameters,
  type BackchannelAuthenticationResponse,
  type ProcessBackchannelAuthenticationResponseOptions,
} from './authentication-request.js'
export { cibaTokenRequest, defaultSleep, pollCibaToken, processCibaTokenResponse, type CibaTokenResponse, type PollCibaTokenOptions, type Sleep } from './token.js'
export {
  createCibaNotificationWaiter,
  createCibaPingHandler,
  createClientNotificationToken,
  type CibaNotificationWaiter,
  type CibaPingHandlerOptions,
} from './ping.js'
export { cibaApproval, type CibaApprovalOptions, type CibaPingDelivery } from './approval.js'
export type { ClientAuthentication, OAuthClient, TokenEndpointRequestOptions } from '../client-auth/types.js'
