import { describe, expect, it, vi } from 'vitest'

describe('examples/agent-with-broker.ts', () => {
  it('runs end to end', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined)
    try {
      await import('../../examples/agent-with-broker.js')
      const lines = log.mock.calls.map((c) => String(c[0]))
      expect(lines.filter((l) => l.startsWith('  ok  '))).toHaveLength(7)
      expect(lines).toContain('audit log:')
    } finally {
      log.mockRestore()
    }
  })
})
