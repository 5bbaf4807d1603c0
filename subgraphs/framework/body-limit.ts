import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Yoga's default `maxRequestBodySize`. */
export const MAX_REQUEST_BODY_BYTES = 25_000_000;

const httpError = (message: string, status: number, code: string) =>
  new GraphQLError(message, { extensions: { http: { status }, code } });
const tooLarge = () => httpError('Request body too large', 413, 'REQUEST_ENTITY_TOO_LARGE');
/** A single non-negative integer; anything else (a list joined by commas included) is refused. */
const CONTENT_LENGTH = /^\d+$/;

/**
 * Yoga's request body limit, with its errors, without its cost on every request: Yoga copies
 * each body through a TransformStream to count its bytes. Bun.serve reads exactly the declared
 * Content-Length, so a body that declares one is judged by the header alone; only a body without
 * one (chunked) is counted as it streams. Used with Yoga's own limit off (`maxRequestBodySize: false`).
 */
export function useRequestBodyLimit(limit = MAX_REQUEST_BODY_BYTES): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        if (!CONTENT_LENGTH.test(declared)) throw httpError('Content-Length header is invalid.', 400, 'BAD_REQUEST');
        if (Number(declared) > limit) throw tooLarge();
        return;
      }
      if (request.body && requestParser) setRequestParser((streamed) => requestParser(counted(streamed, limit)));
    },
  };
}

/** The request with a body that fails once more than `limit` bytes have arrived. */
function counted(request: Request, limit: number): Request {
  let received = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      received += chunk.byteLength;
      if (received > limit) return controller.error(tooLarge());
      controller.enqueue(chunk);
    },
  });
  const init: RequestInit & { duplex: 'half' } = {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body: request.body!.pipeThrough(counter),
    duplex: 'half',
  };
  return new Request(request.url, init);
}
