// `npm run bench`: the micro suites (bench/run.ts, arguments passed through: suite names,
// --quick), then the HTTP loopback benchmark (bench/http.ts, with --quick when given) unless suite
// names were given without "http". `npm run bench:micro` / `npm run bench:http` run one of them.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const args = process.argv.slice(2)
const suites = args.filter((a) => !a.startsWith('--'))
const micro = suites.filter((s) => s !== 'http')
const runMicro = suites.length === 0 || micro.length > 0
const runHttp = suites.length === 0 || suites.includes('http')

function run(script: string, scriptArgs: string[]): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${here}${script}`, ...scriptArgs], { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

if (runMicro) run('run.ts', [...args.filter((a) => a.startsWith('--')), ...micro])
if (runHttp) run('http.ts', args.filter((a) => a === '--quick'))
