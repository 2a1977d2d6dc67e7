#!/usr/bin/env node
// `node dist/broker/node/main.js --config broker.json`: runs a credential broker until SIGINT or
// SIGTERM. Errors are one line on stderr and exit code 1.
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { startBroker } from './start.js'

const USAGE = `usage: agentauth-broker --config <broker.json>

Runs a credential broker (agentauth/broker) from a JSON config: the agent's key, WIT source,
listen address (Unix socket or loopback port), capability token, policy and audit file.
See docs/broker.md.`

/**
 * Runs the broker command line; resolves with the exit code once the broker is running (0), or
 * with 1 (start-up failed) / 2 (usage). The running broker stops on SIGINT / SIGTERM.
 *
 * @example
 * ```ts
 * import { main } from './main.js'
 * process.exitCode = await main(['--config', 'broker.json'])
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const i = argv.indexOf('--config')
  const config = i === -1 ? undefined : argv[i + 1]
  if (config === undefined || argv.length !== 2) {
    process.stderr.write(`${USAGE}\n`)
    return 2
  }
  try {
    const broker = await startBroker({ config, onError: (err) => process.stderr.write(`agentauth-broker: ${err instanceof Error ? err.message : String(err)}\n`) })
    process.stderr.write(`agentauth-broker: listening on ${broker.socketPath ?? broker.url}\n`)
    const stop = (): void => {
      broker.close().then(
        () => process.exit(0),
        () => process.exit(1),
      )
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    return 0
  } catch (err) {
    process.stderr.write(`agentauth-broker: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1]
  if (script === undefined) return false
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href
  } catch {
    return false
  }
}

if (invokedDirectly()) {
  main(process.argv.slice(2)).then((code) => {
    if (code !== 0) process.exit(code)
  })
}
