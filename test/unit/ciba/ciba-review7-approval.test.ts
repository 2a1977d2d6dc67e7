import { describe, expect, it } from 'vitest'
import { cibaApproval, createCibaNotificationWaiter } from '../../../src/ciba/index.js'
import { client, OP } from '../../helpers/ciba-fake-op.js'

describe('cibaApproval options (review 7)', () => {
  it('refuses a malformed ping clientNotificationToken at construction', () => {
    const waiter = createCibaNotificationWaiter()
    for (const clientNotificationToken of ['short', 'a b'.repeat(20), '']) {
      expect(() => cibaApproval({ server: OP, client, request: () => ({ scope: 'openid', loginHint: 'a' }), delivery: { clientNotificationToken, waiter } })).toThrow(
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }),
      )
    }
  })
})
