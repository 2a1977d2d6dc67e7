// Minimal types for the parts of autocannon's programmatic API that bench/http uses (the package
// ships no declarations and @types/autocannon is not installed).
declare module 'autocannon' {
  interface RequestParams {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
  }
  interface AutocannonRequest extends RequestParams {
    setupRequest?: (req: RequestParams & Record<string, unknown>, context: Record<string, unknown>) => (RequestParams & Record<string, unknown>) | null | undefined
  }
  interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    total: number
    p50: number
    p90: number
    p97_5: number
    p99: number
  }
  interface Result {
    duration: number
    requests: Histogram
    latency: Histogram
    throughput: Histogram
    errors: number
    timeouts: number
    mismatches: number
    non2xx: number
    resets: number
    '2xx': number
  }
  interface Options {
    url: string
    connections?: number
    pipelining?: number
    duration?: number
    amount?: number
    timeout?: number
    method?: string
    headers?: Record<string, string>
    requests?: AutocannonRequest[]
  }
  interface Instance {
    stop(): void
    on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): Instance
  }
  function autocannon(options: Options, callback: (err: Error | null, result: Result) => void): Instance
  export default autocannon
  export type { AutocannonRequest, Instance, Options, Result }
}
