import { getGraphQLWSOptions, type GatewayRuntime } from '@graphql-hive/gateway';
import type { Server, WebSocketHandler } from 'bun';
import { handleProtocols, makeHandler } from 'graphql-ws/use/bun';
import { withAbsoluteUrl } from '../kit/service';

/** What a socket keeps from its upgrade request. */
interface SocketData {
  request: Request;
  remoteAddress?: string;
}

/**
 * GraphQL over WebSocket (the graphql-ws protocol) on our Bun.serve, as Hive Gateway's own CLI
 * serves it on Bun (`graphql-ws/use/bun` with the runtime's `getGraphQLWSOptions`): each message
 * goes through the same runtime, plugins and limits as an HTTP request.
 *
 * Browsers cannot set headers on a WebSocket, so a client signs in with the connection payload
 * instead: `connectionParams.authorization` ("Bearer <token>") becomes the Authorization header of
 * the request every operation on the socket is run with. The JWT plugin, the authorization
 * directives and the header propagation to subgraphs then treat it as they treat HTTP.
 */
export function graphqlWebSocket(runtime: GatewayRuntime<Record<string, any>>, graphqlPath = '/graphql') {
  const handler = makeHandler(
    getGraphQLWSOptions(runtime, (ctx) => {
      const socket = (ctx.extra as { socket: { data: SocketData } }).socket;
      return {
        socket,
        remoteAddress: socket.data.remoteAddress,
        request: withConnectionToken(socket.data.request, ctx.connectionParams),
      };
    }),
  ) as WebSocketHandler<SocketData>;

  return {
    handler,
    /**
     * Upgrades a graphql-ws handshake on the GraphQL path; false: not one (answer it over HTTP).
     * A handshake without the graphql-transport-ws subprotocol is not upgraded and gets Yoga's answer.
     */
    upgrade(received: Request, server: Server<SocketData>, remoteAddress?: string): boolean {
      if (received.headers.get('upgrade')?.toLowerCase() !== 'websocket') return false;
      const request = withAbsoluteUrl(received);
      if (new URL(request.url).pathname !== graphqlPath) return false;
      if (!handleProtocols(received.headers.get('sec-websocket-protocol') ?? '')) return false;
      return server.upgrade(received, { data: { request, remoteAddress } });
    },
  };
}

function withConnectionToken(request: Request, params: Readonly<Record<string, unknown>> | undefined): Request {
  const authorization = params?.authorization ?? params?.Authorization;
  if (typeof authorization !== 'string') return request;
  const headers = new Headers(request.headers);
  headers.set('authorization', authorization);
  return new Request(request.url, { method: 'GET', headers });
}
