// Waiting on a promise no longer than a signal allows. The promise itself is not cancelled (the
// code behind it may ignore signals): the caller stops waiting and gets the signal's reason, so a
// hung fetch, store or callback cannot hold everything queued behind it.

/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts (at once when
 * it already has). Without a signal, returns `promise` itself.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })
}
