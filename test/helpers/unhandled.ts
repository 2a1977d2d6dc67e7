// Collects the unhandled promise rejections raised while `run` executes (and for a short moment
// after it, so a rejection dropped on the floor by the code under test has time to surface).
// Used by the tests of observer hooks (onError, onIssued) that must never crash the process.

/** Runs `run` and returns every reason Node reported as an unhandled rejection meanwhile. */
export async function unhandledDuring(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = []
  const listener = (reason: unknown): void => { seen.push(reason) }
  process.on('unhandledRejection', listener)
  try {
    await run()
    await new Promise((resolve) => setTimeout(resolve, 20)) // a dropped rejection is reported after a turn
  } finally {
    process.off('unhandledRejection', listener)
  }
  return seen
}
