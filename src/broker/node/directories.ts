// The directories above a file the broker trusts (config, key, capability token, audit log).
// Whoever may write a directory may rename a file in it and put another in its place (or delete
// it), whatever that file's own mode and owner: the file's checks only hold if every directory
// above it is as closed as they demand of the file.
import { realpath, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { codedTypeError } from '../../errors/index.js'

const STICKY = 0o1000

/**
 * Refuses `file` when a directory above it (up to the root) may be written by its group or by
 * others without the sticky bit (which keeps them from renaming or deleting another user's file,
 * as in `/tmp`), or is owned by another user than the broker's or root. Symbolic links in the path
 * are followed (secret mounts use them); the directories checked are the ones they lead through.
 *
 * @throws TypeError `ERR_INVALID_ARG_VALUE` naming `name`, `file` and the directory.
 */
export async function checkDirectories(file: string, name: string): Promise<void> {
  if (process.platform === 'win32') return
  const uid = process.getuid?.()
  const start = dirname(resolve(file))
  // The path as written and the one its links lead through: a link's own directory can replace it.
  const real = await realpath(start).catch(() => start)
  for (let dir of new Set([start, real])) {
    for (;;) {
      const info = await stat(dir).catch(() => undefined)
      if (info !== undefined) {
        if ((info.mode & 0o022) !== 0 && (info.mode & STICKY) === 0) {
          throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} ${file}: its directory ${dir} is writable by group or others (chmod go-w, or the sticky bit), so the file can be replaced`)
        }
        if (uid !== undefined && info.uid !== uid && info.uid !== 0) {
          throw codedTypeError('ERR_INVALID_ARG_VALUE', `${name} ${file}: its directory ${dir} is owned by another user than the broker's or root, so the file can be replaced`)
        }
      }
      const parent = dirname(dir)
      if (parent === dir) break
      dir = parent
    }
  }
}

/**
 * Refuses the WIT command's executable (found as `execFile` finds it: a name without `/` through
 * `PATH`, an empty entry or a relative path against `cwd`) when its group or others may write it,
 * another user than the broker's or root owns it, or a directory above it is open like that:
 * whoever may replace it runs code as the broker's user, key included. Not found: left to the run.
 *
 * @throws TypeError `ERR_INVALID_ARG_VALUE` naming `wit.command`.
 */
export async function checkExecutable(command: string, cwd: string, pathVariable: string | undefined): Promise<void> {
  if (process.platform === 'win32') return
  const candidates = command.includes('/') ? [resolve(cwd, command)] : (pathVariable ?? '').split(':').map((dir) => resolve(cwd, dir, command))
  for (const file of candidates) {
    const info = await stat(file).catch(() => undefined)
    if (info === undefined || !info.isFile() || (info.mode & 0o111) === 0) continue
    const uid = process.getuid?.()
    if ((info.mode & 0o022) !== 0 || (uid !== undefined && info.uid !== uid && info.uid !== 0)) {
      throw codedTypeError('ERR_INVALID_ARG_VALUE', `wit.command ${file} must not be writable by group or others and must be owned by the broker's user or root (the broker runs it)`)
    }
    await checkDirectories(file, 'wit.command')
    return
  }
}
