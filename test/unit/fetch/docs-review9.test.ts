// Review 9: the agent guide's Unix-socket snippet, as written there (type-checked by
// tsconfig.test.json). Passing undici.fetch straight as the fetch option did not compile: npm
// undici's fetch types differ from the platform's.
import { Agent, fetch as undiciFetch } from 'undici'
import { describe, expect, it } from 'vitest'
import { remoteCredentials } from '../../../src/fetch/index.js'
import { capabilityToken } from '../../helpers/broker-fixtures.js'

describe('docs/agent-guide.md: remoteCredentials over a Unix socket', () => {
  it('builds the credentials as the guide shows', async () => {
    const dispatcher = new Agent({ connect: { socketPath: '/run/agentauth/support-bot/broker.sock' } })
    try {
      const credentials = remoteCredentials({
        endpoint: 'http://localhost', // host is ignored on a socket
        token: capabilityToken(),
        // npm undici's fetch types are not the platform's (lib.dom) ones: cast at this boundary
        fetch: (input, init) => undiciFetch(input as never, { ...init, dispatcher } as never) as unknown as Promise<Response>,
      })
      expect(typeof credentials.authorize).toBe('function')
    } finally {
      await dispatcher.close()
    }
  })
})
