// oidc-provider ships no TypeScript declarations; the interop test needs only this much.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http'
  export default class Provider {
    constructor(issuer: string, configuration: unknown)
    callback(): (req: IncomingMessage, res: ServerResponse) => void
  }
}
