import type { ErrorCode } from '../api/http';

/** Where the registry is, which target the per-target calls address, and the caller's token. */
export interface RegistryConnection {
  registryUrl: string;
  /** Default `main`. */
  target?: string;
  /** Sent as `Authorization: Bearer <token>` on every call; none: the registry sees an anonymous caller. */
  token?: string;
}

/** What every call accepts. */
export interface CallOptions {
  /** Milliseconds for the whole call, the answer's body included; default DEFAULT_REGISTRY_TIMEOUT_MS. */
  timeoutMs?: number;
}

export const DEFAULT_REGISTRY_TIMEOUT_MS = 30_000;
const DEFAULT_TARGET = 'main';

/**
 * The registry's own codes (`{ error: { code } }`, schema-registry/api/http.ts) and the client's:
 * UNREACHABLE and TIMEOUT (status 0: no answer), HTTP_ERROR (an answer without the registry's
 * error body, e.g. from a proxy), INVALID_RESPONSE (a success whose body cannot be read).
 */
export type RegistryErrorCode = ErrorCode | 'UNREACHABLE' | 'TIMEOUT' | 'HTTP_ERROR' | 'INVALID_RESPONSE';

/** Every failed call: the HTTP status (0 when nothing answered), a stable code, the registry's message and details. */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly code: RegistryErrorCode,
    /** The registry's message (or why nothing answered), without the status prefix of `message`. */
    readonly reason: string,
    readonly details?: unknown,
  ) {
    super(status === 0 ? reason : `registry answered HTTP ${status}: ${reason}`);
    this.name = 'RegistryError';
  }
}

export interface Call extends CallOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses besides 2xx that are answers rather than failures (304 for a conditional GET, 404 for a lookup). */
  expect?: readonly number[];
}

/** Turns an answer into the call's result; runs within the call's timeout. */
type Read<T> = (response: Response) => Promise<T>;

async function failure(response: Response): Promise<RegistryError> {
  const text = await response.text().catch(() => '');
  let error: { code?: string; message?: string; details?: unknown } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error;
  } catch {
    // not the registry's error body
  }
  const reason = error?.message ?? (text.slice(0, 300) || response.statusText);
  return new RegistryError(response.status, (error?.code ?? 'HTTP_ERROR') as RegistryErrorCode, reason, error?.details);
}

/** The one place that speaks HTTP to the registry: URL, auth header, timeout and errors. */
export function createTransport(connection: RegistryConnection) {
  const base = `${connection.registryUrl.replace(/\/$/, '')}/v1`;
  const target = connection.target ?? DEFAULT_TARGET;
  const auth: Record<string, string> = connection.token ? { authorization: `Bearer ${connection.token}` } : {};

  /** Calls `/v1<path>`; any status but 2xx and `expect` throws, as does no answer within the timeout. */
  async function send<T>(path: string, call: Call, read: Read<T>): Promise<T> {
    const timeoutMs = call.timeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS;
    let response: Response | undefined;
    try {
      response = await fetch(`${base}${path}`, {
        method: call.method ?? 'GET',
        headers: {
          ...call.headers,
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...auth,
        },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok && !call.expect?.includes(response.status)) throw await failure(response);
      return await read(response);
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      const message = (error as Error).message;
      if ((error as Error).name === 'TimeoutError') {
        throw new RegistryError(
          0,
          'TIMEOUT',
          `the registry at ${connection.registryUrl} did not answer within ${timeoutMs} ms`,
        );
      }
      if (response) throw new RegistryError(response.status, 'INVALID_RESPONSE', `unreadable answer: ${message}`);
      throw new RegistryError(0, 'UNREACHABLE', `cannot reach the registry at ${connection.registryUrl}: ${message}`);
    }
  }

  return {
    target,
    send,
    /** The path of a per-target endpoint: `/targets/<target><path>`. */
    inTarget: (path = '', name = target) => `/targets/${encodeURIComponent(name)}${path}`,
    json: <T>(path: string, call: Call = {}) => send(path, call, (response) => response.json() as Promise<T>),
    text: (path: string, call: Call = {}) => send(path, call, (response) => response.text()),
  };
}

export type Transport = ReturnType<typeof createTransport>;
