import { constants } from 'node:fs'
import { lstat, open, type FileHandle } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { StoreError, codedTypeError } from '../../errors/index.js'
import { checkDirectories } from './directories.js'
import type { AuditRecord, AuditSink } from '../types.js'

/**
 * Options of {@link createFileAuditSink}.
 *
 * @example
 * ```ts
 * import type { FileAuditSinkOptions } from 'agentauth/broker/node'
 * const options: FileAuditSinkOptions = { path: '/var/log/agentauth/audit.jsonl', fsync: true }
 * ```
 */
export interface FileAuditSinkOptions {
  /**
   * The JSON-lines file; created with mode 0600 when missing, always opened for append (O_APPEND),
   * never through a symlink (O_NOFOLLOW). An existing regular file writable by group or others, or owned by
   * another user than the broker's (or root), is refused, and so is a pipe or device another user
   * owns: every write rejects.
   */
  path: string
  /** `fdatasync` after every record, so an allowed request is on disk before credentials go out. Default false. */
  fsync?: boolean
}

/**
 * An audit sink with a `close()` to release its file.
 *
 * @example
 * ```ts
 * import { createFileAuditSink, type FileAuditSink } from 'agentauth/broker/node'
 * const audit: FileAuditSink = createFileAuditSink({ path: 'audit.jsonl' })
 * await audit.close()
 * ```
 */
export interface FileAuditSink extends AuditSink {
  close(): Promise<void>
}

const FLAGS = constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW
/** Handles opened read-write (the others cannot read their last byte back). */
const readable = new WeakSet<FileHandle>()

/**
 * Refuses an audit file that someone else than the broker may rewrite: one its group or others may
 * write, or one another user (not root) owns — an agent that created it in a directory it can
 * write would own the file and could erase its own records.
 */
/**
 * The mode check is for regular files (a device such as `/dev/null`, or a pipe to a log shipper,
 * keeps no history to erase); the owner check is for every kind: a FIFO another user (the agent)
 * planted hands that user every record to read and drop.
 */
function foreignWritable(info: Stats): boolean {
  if (process.platform === 'win32') return false
  const uid = process.getuid?.()
  const foreignOwner = uid !== undefined && info.uid !== uid && info.uid !== 0
  return info.isFile() ? (info.mode & 0o022) !== 0 || foreignOwner : foreignOwner
}

const notOwned = (path: string): TypeError => codedTypeError('ERR_INVALID_ARG_VALUE', `the audit file ${path} must be owned by the broker's user (or root) and not writable by group or others`)

async function checkOwnership(h: FileHandle, path: string): Promise<void> {
  if (!foreignWritable(await h.stat())) return
  await h.close().catch(() => undefined)
  throw notOwned(path)
}

/** Start-up check of an existing audit file (the sink checks again when it opens it). */
export async function checkAuditFile(path: string): Promise<void> {
  // Whoever may write its directory may delete the log and start an empty one.
  await checkDirectories(path, 'the audit file')
  const info = await lstat(path).catch(() => undefined)
  if (info === undefined) {
    // Created now (empty, 0600), so a path that cannot hold one (no such directory, no permission)
    // stops the start instead of refusing every request with audit_failed.
    try {
      await (await open(path, constants.O_WRONLY | constants.O_EXCL | FLAGS, 0o600)).close()
    } catch (cause) {
      if ((cause as { code?: unknown }).code === 'EEXIST') return checkAuditFile(path)
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `the audit file ${path} cannot be created (${String((cause as { code?: unknown }).code ?? cause)})`, cause)
    }
    return
  }
  if (info.isSymbolicLink()) throw codedTypeError('ERR_INVALID_ARG_VALUE', `the audit file ${path} is a symbolic link`)
  if (foreignWritable(info)) throw notOwned(path)
}

/** Opens for appending, read-write when allowed (a write-only audit file is still accepted). */
async function openAudit(path: string): Promise<FileHandle> {
  let h: FileHandle
  try {
    h = await open(path, constants.O_RDWR | FLAGS, 0o600)
    readable.add(h)
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'EACCES') throw err
    h = await open(path, constants.O_WRONLY | FLAGS, 0o600)
  }
  await checkOwnership(h, path)
  return h
}

/**
 * An append-only JSON-lines audit sink for `createCredentialBroker`: one record per line, written
 * in order (writes are serialised, the file is opened with `O_APPEND`, mode 0600), optionally
 * `fdatasync`ed. A failed write rejects, which makes the broker refuse the request it was auditing;
 * so does every write to an existing regular file that group or others may write or another user owns,
 * or to a pipe or device another user owns (coded `TypeError` `ERR_INVALID_ARG_VALUE`), and every
 * write after `close()` (StoreError `ERR_STORE_UNAVAILABLE`).
 * A line left unterminated by a crash or a failed write is ended before the next record, so that
 * record stays a line of its own.
 *
 * @param options - see {@link FileAuditSinkOptions}.
 * @returns the sink (call `close()` on shutdown).
 * @throws TypeError `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options.
 *
 * @example
 * ```ts
 * import { createCredentialBroker } from 'agentauth/broker'
 * import { createFileAuditSink } from 'agentauth/broker/node'
 *
 * const audit = createFileAuditSink({ path: '/var/log/agentauth/audit.jsonl', fsync: true })
 * const broker = createCredentialBroker({ signer, wit, proof: 'wpt', policy, audit, capabilityTokens })
 * ```
 */
export function createFileAuditSink(options: FileAuditSinkOptions): FileAuditSink {
  if (typeof options !== 'object' || options === null) throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options must be an object')
  if (typeof options.path !== 'string' || options.path.length === 0) throw codedTypeError('ERR_INVALID_ARG_VALUE', 'options.path must be a file path')
  if (options.fsync !== undefined && typeof options.fsync !== 'boolean') throw codedTypeError('ERR_INVALID_ARG_TYPE', 'options.fsync must be a boolean')
  const { path } = options
  const fsync = options.fsync === true
  let handle: Promise<FileHandle> | undefined
  let queue: Promise<void> = Promise.resolve()
  let closed = false
  // Whether the file may end inside a line: a crash or a failed write (ENOSPC) can leave one torn,
  // and the next record appended to it would be unreadable too. Checked on open and after a failure.
  let mayBeTorn = true

  const write = async (line: string): Promise<void> => {
    // O_NOFOLLOW: a symlink planted at the audit path (by whoever can write its directory) is
    // refused (ELOOP) instead of redirecting the record to another file. Read-write where allowed,
    // so the last byte can be read back to repair a torn line.
    handle ??= openAudit(path).catch((err: unknown) => {
      handle = undefined
      throw err
    })
    const h = await handle
    try {
      if (mayBeTorn && readable.has(h)) {
        const { size } = await h.stat()
        const last = new Uint8Array(1)
        if (size > 0 && (await h.read(last, 0, 1, size - 1)).bytesRead === 1 && last[0] !== 0x0a) line = `\n${line}`
        mayBeTorn = false
      }
      await h.appendFile(line, 'utf8')
      if (fsync) await h.datasync()
    } catch (err) {
      mayBeTorn = true
      throw err
    }
  }

  const sink = (record: AuditRecord): Promise<void> => {
    if (closed) return Promise.reject(new StoreError('ERR_STORE_UNAVAILABLE', 'the audit sink is closed'))
    const line = `${JSON.stringify(record)}\n`
    const result = queue.then(() => write(line))
    queue = result.catch(() => undefined)
    return result
  }
  return Object.assign(sink, {
    async close(): Promise<void> {
      closed = true
      await queue
      if (handle !== undefined) await (await handle.catch(() => undefined))?.close()
      handle = undefined
    },
  })
}
