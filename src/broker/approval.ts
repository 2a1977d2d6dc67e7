// The approval hook with a deadline: the hook gets an AbortSignal and the broker stops waiting
// when it fires (a hook that ignores the signal cannot hold a request forever).
import type { ApprovalContext, ApprovalHook } from './types.js'

export type ApprovalOutcome = 'approved' | 'approval_denied' | 'approval_timeout' | 'approval_failed'

export async function requestApproval(hook: ApprovalHook, context: Omit<ApprovalContext, 'signal'>, timeoutMs: number, parent: AbortSignal | undefined, onError: (err: unknown) => void): Promise<ApprovalOutcome> {
  const controller = new AbortController()
  let timedOut = false
  let settle: (outcome: ApprovalOutcome) => void = () => undefined
  const deadline = new Promise<ApprovalOutcome>((resolve) => {
    settle = resolve
  })
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new Error('approval timed out'))
    settle('approval_timeout')
  }, timeoutMs)
  const onParentAbort = (): void => {
    controller.abort(parent?.reason)
    settle('approval_failed')
  }
  parent?.addEventListener('abort', onParentAbort, { once: true })
  try {
    const decision = (async (): Promise<ApprovalOutcome> => {
      try {
        const result = await hook(Object.freeze({ ...context, signal: controller.signal }))
        return result === true ? 'approved' : 'approval_denied'
      } catch (err) {
        if (!timedOut) onError(err)
        return timedOut ? 'approval_timeout' : 'approval_failed'
      }
    })()
    return await Promise.race([decision, deadline])
  } finally {
    clearTimeout(timer)
    parent?.removeEventListener('abort', onParentAbort)
  }
}
