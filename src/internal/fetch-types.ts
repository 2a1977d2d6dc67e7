// The two function types every outbound piece shares (fetch middleware, OAuth clients). Defined
// here so modules can use them without importing each other; `agentauth/fetch` re-exports them.

/** Anything shaped like the global `fetch`. */
export type FetchLike = (input: Request | URL | string, init?: RequestInit) => Promise<Response>

/** Wraps a fetch into another fetch (undici's `dispatch => dispatch`, one level up). */
export type FetchMiddleware = (next: FetchLike) => FetchLike
