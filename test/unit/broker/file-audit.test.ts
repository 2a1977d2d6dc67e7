import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createFileAuditSink } from '../../../src/broker/node/index.js'
import type { AuditRecord } from '../../../src/broker/index.js'

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

const record = (n: number): AuditRecord => ({ time: new Date(n).toISOString(), id: `id-${n}`, decision: n % 2 ? 'deny' : 'allow', reason: 'allowed', mode: 'proof', url: `https://api.example.com/${n}` })

describe('createFileAuditSink', () => {
  it('appends one JSON line per record, in order, to a 0600 file (fsync on request)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentauth-audit-'))
    dirs.push(dir)
    const path = join(dir, 'audit.jsonl')
    for (const fsync of [false, true]) {
      const sink = createFileAuditSink({ path, fsync })
      await Promise.all(Array.from({ length: 50 }, (_, i) => sink(record(i))))
      await sink.close()
      await expect(sink(record(99))).rejects.toThrow(/closed/)
    }
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n')
    expect(lines).toHaveLength(100)
    expect(lines.map((l) => (JSON.parse(l) as AuditRecord).id)).toEqual([...Array.from({ length: 50 }, (_, i) => `id-${i}`), ...Array.from({ length: 50 }, (_, i) => `id-${i}`)])
    expect((await stat(path)).mode & 0o777).toBe(0o600)
  })

  it('refuses to write through a symlink planted at the audit path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentauth-audit-'))
    dirs.push(dir)
    await writeFile(join(dir, 'elsewhere.txt'), 'untouched\n')
    await symlink(join(dir, 'elsewhere.txt'), join(dir, 'audit.jsonl'))
    const sink = createFileAuditSink({ path: join(dir, 'audit.jsonl') })
    await expect(sink(record(1))).rejects.toMatchObject({ code: 'ELOOP' })
    await sink.close()
    expect(await readFile(join(dir, 'elsewhere.txt'), 'utf8')).toBe('untouched\n')
  })

  it('rejects when the file cannot be written, and recovers once it can', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentauth-audit-'))
    dirs.push(dir)
    const sink = createFileAuditSink({ path: join(dir, 'missing-dir', 'audit.jsonl') })
    await expect(sink(record(1))).rejects.toMatchObject({ code: 'ENOENT' })
    await mkdir(join(dir, 'missing-dir'))
    await sink(record(2))
    await sink.close()
    expect(await readFile(join(dir, 'missing-dir', 'audit.jsonl'), 'utf8')).toBe(`${JSON.stringify(record(2))}\n`)
    expect(() => createFileAuditSink({ path: '' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    expect(() => createFileAuditSink({ path: 'x', fsync: 'yes' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })
})
