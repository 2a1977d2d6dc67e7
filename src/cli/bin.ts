#!/usr/bin/env node
// The `agentauth` bin: runs the CLI on this process's arguments. Kept apart from index.ts (the
// embeddable `main`) so importing `agentauth/cli` never runs a command.
import { main } from './index.js'
import { describeError } from './output.js'

main(process.argv.slice(2)).then(
  ({ code, out }) => {
    ;(code === 0 ? process.stdout : process.stderr).write(out + '\n')
    process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`agentauth: ${describeError(err)}\n`)
    process.exitCode = 1
  },
)
