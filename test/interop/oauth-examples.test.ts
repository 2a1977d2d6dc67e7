// The three delegation patterns in examples/ must keep running and exit 0.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)

describe('delegation examples', () => {
  it.each(['delegation-user-agent-tool', 'delegation-cross-domain', 'delegation-scheduled-agent'])('%s runs and prints its chain', async (name) => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/${name}.ts`], { timeout: 60_000 })
    expect(stdout).toMatch(/chain/)
  })
})
