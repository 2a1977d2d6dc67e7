// Where a profiled server's CPU time goes (profiles from `node --cpu-prof`). Start-up (module
// loading through tsx) and idle samples are left out; the rest is shown as a share of busy time
// and as CPU µs per answered request (share × the server's CPU time per request measured from
// /proc during the run, so time the process spent descheduled is not counted): self time by area (node:http, fetch Request/Response, web
// streams, agentauth's adapter and verifier, jose, crypto, GC) and by function, and inclusive time
// (self + callees) by function.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

function area(cf: CallFrame): string {
  const { url, functionName: fn } = cf
  if (fn === '(garbage collector)') return 'GC'
  if (fn === '(program)') return 'V8/native, unattributed'
  if (url.includes('/src/adapters/')) return 'agentauth adapter (src/adapters)'
  if (url.includes('/src/')) return 'agentauth verifier (src/, not adapters)'
  if (url.includes('/node_modules/jose/')) return 'jose'
  if (url.includes('/bench/')) return 'bench handler'
  if (url.startsWith('node:internal/crypto') || url.startsWith('node:crypto')) return 'node crypto (incl. Web Crypto glue)'
  if (url.startsWith('node:internal/webstreams') || url.startsWith('node:internal/deps/undici') || url.startsWith('node:internal/abort_controller') || url.startsWith('node:internal/worker/js_transferable')) return 'fetch Request/Response/Headers, web streams, AbortSignal'
  if (url.startsWith('node:')) return 'node core (http, net, streams, timers, events)'
  if (url === '') return 'native (syscalls, writev, parser, …)'
  return 'other'
}

const startup = (cf: CallFrame) => cf.url.includes('/node_modules/tsx/') || cf.url.startsWith('node:internal/modules/')
const label = (cf: CallFrame) => `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/work\/main\//, '').replace(/^file:\/\//, '')}:${cf.lineNumber + 1}`

function add(map: Map<string, number>, key: string, dt: number): void {
  map.set(key, (map.get(key) ?? 0) + dt)
}

function summariseDir(dir: string, cpuUs: number | undefined, top: number): string {
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  const areas = new Map<string, number>()
  let busy = 0
  let idle = 0
  let skipped = 0
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const prof = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile
    const byId = new Map(prof.nodes.map((n) => [n.id, n]))
    const parent = new Map<number, number>()
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
    for (let i = 0; i < prof.samples.length; i++) {
      const id = prof.samples[i]!
      const cf = byId.get(id)!.callFrame
      const dt = prof.timeDeltas[i] ?? 0
      if (cf.functionName === '(idle)') {
        idle += dt
        continue
      }
      const stack: CallFrame[] = []
      for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) stack.push(byId.get(n)!.callFrame)
      if (stack.some(startup)) {
        skipped += dt
        continue
      }
      busy += dt
      add(self, label(cf), dt)
      add(areas, area(cf), dt)
      const seen = new Set<string>()
      for (const frame of stack) {
        const l = label(frame)
        if (l.startsWith('(root)') || seen.has(l)) continue
        seen.add(l)
        add(inclusive, l, dt)
      }
    }
  }
  const cell = (v: number) => `${`${((100 * v) / busy).toFixed(1)}%`.padStart(6)}${cpuUs ? `${((v / busy) * cpuUs).toFixed(1).padStart(7)} µs/req` : ''}`
  const list = (m: Map<string, number>, n: number, min = 0) => [...m].sort((a, b) => b[1] - a[1]).filter(([, v]) => v / busy >= min).slice(0, n).map(([k, v]) => `  ${cell(v)}  ${k}`)
  return [
    `busy ${(busy / 1e6).toFixed(2)} s${cpuUs ? `, server CPU ${cpuUs.toFixed(1)} µs per request` : ''}, idle ${(idle / 1e6).toFixed(2)} s, start-up left out ${(skipped / 1e6).toFixed(2)} s`,
    'self time by area:', ...list(areas, 20, 0.002),
    `self time, top ${top} functions:`, ...list(self, top),
    `inclusive time, top ${top} functions:`, ...list(inclusive, top),
  ].join('\n')
}

/** One text report per sub-directory of `root` (one per profiled variant); `cpuUs`: CPU µs per request by sub-directory name. */
export function summariseProfiles(root: string, cpuUs: ReadonlyMap<string, number> = new Map(), top = 25): string {
  return readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())
    .map((d) => `### server CPU profile: ${d.name}\n${summariseDir(join(root, d.name), cpuUs.get(d.name), top)}`).join('\n\n')
}
