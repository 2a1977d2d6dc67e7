#!/usr/bin/env node
// The `agentauth` bin: runs the CLI on this process's arguments. Kept apart from index.ts (the
// embeddable `main`) so importing `agentauth/cli` never runs a command.
import { main } from './index.js'
import { describeError } from './output.js'

// A reader that went away (`agentauth inspect … | head -1`) makes the write fail with EPIPE, which
// Node raises as an unhandled 'error' event: a stack trace instead of the command's outcome. The
// output has nowhere to go then, so the command's exit status stands; any other write error is 1.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.exitCode = 1
  })
}

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
