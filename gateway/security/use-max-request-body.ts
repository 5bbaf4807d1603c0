import type { GatewayPlugin } from '@graphql-hive/gateway';
import { GraphQLError } from 'graphql';

/** Enough for any trusted document (the registry stores up to 100,000 characters) plus variables. */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 128 * 1024;

const tooLarge = (limit: number) =>
  new GraphQLError(`Request body is larger than ${limit} bytes`, {
    extensions: { code: 'PAYLOAD_TOO_LARGE', http: { status: 413 } },
  });

/**
 * Refuses request bodies above `maxBytes` with 413 PAYLOAD_TOO_LARGE before they are parsed.
 * Yoga has this check (`maxRequestBodySize`, 25 MB by default) but Hive Gateway does not pass
 * the option through, so it is repeated here: a declared Content-Length is refused at once, a
 * streamed body (no Content-Length) is cut off as soon as it passes the limit.
 */
export function useMaxRequestBody(options: { maxBytes?: number } = {}): GatewayPlugin {
  const limit = options.maxBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES;
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      const declared = request.headers.get('content-length');
      if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
      if (declared !== null || !request.body || !requestParser) return;
      setRequestParser((original) => requestParser(withLimitedBody(original, limit)));
    },
  };
}

function withLimitedBody(request: Request, limit: number): Request {
  let bytes = 0;
  const body = request.body!.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        if (bytes > limit) controller.error(tooLarge(limit));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body,
    duplex: 'half',
  } as RequestInit);
}
