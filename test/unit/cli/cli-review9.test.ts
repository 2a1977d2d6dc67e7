// Review round 9: arguments the CLI must not ignore silently.
import { describe, expect, it } from 'vitest'
import { main } from '../../../src/cli/index.js'

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA'

describe('agentauth CLI (review 9)', () => {
  it('inspect and verify refuse a second token or stray argument instead of acting on the first only', async () => {
    // `agentauth verify @a.txt @b.txt …` printed VALID for a.txt alone (exit 0); an unquoted
    // Signature-Input value split by the shell was inspected up to its first space.
    await expect(main(['inspect', TOKEN, 'extra'])).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(/one/) })
    await expect(main(['verify', TOKEN, TOKEN, '--kind', 'wit'])).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(/one/) })
    // One positional still works.
    expect((await main(['inspect', TOKEN])).code).toBe(0)
  })
})
