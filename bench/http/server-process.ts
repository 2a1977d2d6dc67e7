// Starting, measuring and stopping a server variant in its own process pinned to one core, and
// pinning this (client) process to another.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { CONFIG_ENV, type ServerConfig } from './config.js'

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url))

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export const PINNING: boolean = hasTaskset()

/** Moves every thread of this process (main, workers, libuv pool) to `cpus`, e.g. `1` or `0,1`. */
export function pinSelf(cpus: string): void {
  if (PINNING) execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' })
}

const TICKS = (() => {
  try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100 } catch { return 100 }
})()

/** User + system CPU seconds used so far by a process (from /proc; NaN where unavailable). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / TICKS
  } catch {
    return Number.NaN
  }
}

/** Busy (non-idle) CPU seconds so far of one core, from /proc/stat (NaN where unavailable). */
export function coreBusySeconds(core: number): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${core} `))
    if (line === undefined) return Number.NaN
    const v = line.trim().split(/\s+/).slice(1).map(Number)
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0)
    return (total - v[3]! - v[4]!) / TICKS
  } catch {
    return Number.NaN
  }
}

/**
 * Waits until other processes leave both cores alone (each below `maxShare` busy over one second,
 * this process being idle), or `maxWaitSeconds` passed. Returns the last share seen.
 */
export async function waitForQuiet(maxShare: number, maxWaitSeconds: number, onWait: (share: number) => void): Promise<number> {
  const deadline = performance.now() + maxWaitSeconds * 1000
  for (;;) {
    const a = [coreBusySeconds(0), coreBusySeconds(1)]
    const t = performance.now()
    await new Promise((r) => setTimeout(r, 1000))
    const dt = (performance.now() - t) / 1000
    const share = Math.max((coreBusySeconds(0) - a[0]!) / dt, (coreBusySeconds(1) - a[1]!) / dt)
    if (!(share > maxShare) || performance.now() > deadline) return share
    onWait(share)
    await new Promise((r) => setTimeout(r, 2000))
  }
}

const live = new Set<ChildProcess>()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of live) child.kill('SIGTERM')
    process.exit(130)
  })
}

export interface ServerProcess {
  readonly port: number
  readonly pid: number
  /** What the server wrote on stderr (its first refusal, if any). */
  stderr(): string
  stop(): Promise<void>
}

export interface StartOptions {
  readonly cpu: string
  /** Write a V8 CPU profile into this directory when the server exits. */
  readonly profileDir?: string
}

export function startServer(config: ServerConfig, options: StartOptions): Promise<ServerProcess> {
  const node = [process.execPath, ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []), '--import', 'tsx', SERVER]
  const cmd = PINNING ? ['taskset', '-c', options.cpu, ...node] : node
  const child = spawn(cmd[0]!, cmd.slice(1), { env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(child)
  let err = ''
  let out = ''
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d })
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    live.delete(child)
    resolve()
  }))
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => reject(new Error(`server ${config.variant} ${why}\n${err}`))
    let listening = false
    child.once('exit', (code) => { if (!listening) fail(`exited with ${code} before listening`) })
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d
      const m = /PORT (\d+)/.exec(out)
      if (m === null) return
      child.stdout.removeAllListeners('data').resume()
      listening = true
      resolve({
        port: Number(m[1]),
        pid: child.pid!,
        stderr: () => err,
        stop: async () => {
          child.kill('SIGTERM')
          await exited
        },
      })
    })
  })
}
