// Review 9: the broker config shown in docs/agent-guide.md §3, loaded as written (paths adapted).
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadBrokerConfig } from '../../../src/broker/node/config.js'
import { dirWithBrokerKey } from '../../helpers/broker-config.js'
import { trustDomain } from '../../helpers/server-fixtures.js'

describe('docs/agent-guide.md: the broker config', () => {
  it('loads the §3 JSON', async () => {
    const guide = await readFile(new URL('../../../docs/agent-guide.md', import.meta.url), 'utf8')
    const block = /## 3\. Run the broker[\s\S]*?```json\n([\s\S]*?)```/.exec(guide)?.[1]
    expect(block).toBeDefined()
    const dir = await dirWithBrokerKey()
    const agent = await (await trustDomain('example.org')).workload('/agents/bot')
    await writeFile(join(dir, 'agent.wit'), agent.wit)
    const text = block!.replace('./agent.key.json', './k.json').replace('/run/agentauth/support-bot/broker.sock', join(dir, 'b.sock')).replace('/var/log/agentauth/support-bot.audit.jsonl', join(dir, 'audit.jsonl'))
    const file = join(dir, 'broker.json')
    await writeFile(file, text, { mode: 0o600 })
    const loaded = await loadBrokerConfig(file, { AGENTAUTH_CAPABILITY: 'x'.repeat(43) })
    expect(loaded.config.proof).toBe('httpsig')
  })
})
