// Calls an observer hook (onError, onIssued …) that must never change a handler's answer or the
// process's fate: a synchronous throw is dropped, and so is a rejected promise from an async hook
// (left alone it would be an unhandled rejection, which ends a Node process by default).

/** Runs `hook(...args)`, ignoring a throw or a rejection. */
export function runHook<A extends unknown[]>(hook: ((...args: A) => unknown) | undefined, ...args: A): void {
  if (hook === undefined) return
  try {
    const result = hook(...args)
    if (typeof result === 'object' && result !== null && typeof (result as PromiseLike<unknown>).then === 'function') {
      ;(result as PromiseLike<unknown>).then(undefined, () => undefined)
    }
  } catch {
    // an observer's failure is not the request's
  }
}

/** Like {@link runHook}, but a synchronous throw propagates (the caller fails closed); only a rejected promise is ignored. */
export function runStrictHook<A extends unknown[]>(hook: ((...args: A) => unknown) | undefined, ...args: A): void {
  if (hook === undefined) return
  const result = hook(...args)
  if (typeof result === 'object' && result !== null && typeof (result as PromiseLike<unknown>).then === 'function') {
    ;(result as PromiseLike<unknown>).then(undefined, () => undefined)
  }
}
