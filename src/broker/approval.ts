// The approval hook with a deadline: the hook gets an AbortSignal and the broker stops waiting
// when it fires (a hook that ignores the signal cannot hold a request forever).
import type { ApprovalContext, ApprovalHook } from './types.js'

export type ApprovalOutcome = 'approved' | 'approval_denied' | 'approval_timeout' | 'approval_failed'

/**
 * Asks `hook`, racing it against `timeoutMs` and the agent's `parent` signal. An agent that is
 * already gone is answered `approval_failed` (as if it left during the approval) without asking:
 * nobody is paged for a request whose answer nobody will read.
 */
export async function requestApproval(hook: ApprovalHook, context: Omit<ApprovalContext, 'signal'>, timeoutMs: number, parent: AbortSignal | undefined, onError: (err: unknown) => void): Promise<ApprovalOutcome> {
  // 'abort' never fires on a signal that is already aborted, so check before listening.
  if (parent?.aborted === true) return 'approval_failed'
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
