// Apollo Gateway (@apollo/gateway + @apollo/server) on Node, as a peer in `bun perf compare`:
// the same supergraph file, default settings, no cache. Dev-only: production never runs it.
//   SUPERGRAPH_FILE=... PORT=... node perf/peers/apollo-gateway.mjs
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

// Open-source Apollo Gateway refuses supergraphs that link SECURITY features (@authenticated,
// @requiresScopes are enforced by GraphOS Router only); unmarked, it ignores them. Authorization
// plays no part in the compared read scenarios, so every contender serves the same data.
const supergraphSdl = readFileSync(process.env.SUPERGRAPH_FILE, 'utf8').replaceAll(', for: SECURITY)', ')');
const gateway = new ApolloGateway({ supergraphSdl });
const server = new ApolloServer({ gateway, csrfPrevention: false });
const { url } = await startStandaloneServer(server, { listen: { port: Number(process.env.PORT), host: '127.0.0.1' } });
console.log(`apollo gateway listening on ${url}`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
