import type { Subprocess } from 'bun';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatewayVariant, LabSystem } from './target';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The lab registry's current supergraph as a file, for peers that read one. */
export async function supergraphToFile(lab: LabSystem): Promise<string> {
  const response = await fetch(`${lab.system.registryUrl}/v1/targets/main/supergraph`, {
    headers: { authorization: `Bearer ${lab.system.registryToken}` },
  });
  if (!response.ok) throw new Error(`registry answered HTTP ${response.status}`);
  const file = join(mkdtempSync(join(tmpdir(), 'autograph-peer-')), 'supergraph.graphql');
  writeFileSync(file, await response.text());
  return file;
}

async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
  const port = server.port!;
  server.stop(true);
  return port;
}

/** Starts a process that listens on PORT and waits until it answers a GraphQL request. */
async function startProcess(
  name: string,
  cmd: string[],
  env: Record<string, string>,
  port: number,
  cwd = root,
): Promise<GatewayVariant> {
  const tail: string[] = [];
  const child: Subprocess = Bun.spawn(cmd, {
    cwd,
    env: { ...process.env, ...env, PORT: String(port) } as Record<string, string>,
    stdout: 'pipe',
    stderr: 'pipe',
  });
  for (const stream of [child.stdout, child.stderr] as ReadableStream<Uint8Array>[]) {
    void (async () => {
      for await (const chunk of stream)
        tail.push(...new TextDecoder().decode(chunk).split('\n').filter(Boolean).slice(-5));
      tail.splice(0, Math.max(0, tail.length - 20));
    })();
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${tail.join('\n')}`);
    const answer = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    }).catch(() => null);
    if (answer?.ok) {
      return {
        url,
        pid: child.pid,
        stop: async () => {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await child.exited;
          clearTimeout(killer);
        },
      };
    }
    await Bun.sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not answer within 60 s:\n${tail.join('\n')}`);
}

/** Stock Hive Gateway, its own CLI on Node, on the same supergraph: no plugins, default settings. */
export async function startHiveGatewayOnNode(supergraphFile: string): Promise<GatewayVariant> {
  const port = await freePort();
  // Run from the supergraph's folder: from the repository root the CLI would load our gateway.config.ts.
  return startProcess(
    'hive-gateway (node)',
    [
      'node',
      join(root, 'node_modules/@graphql-hive/gateway/dist/bin.js'),
      'supergraph',
      supergraphFile,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
    ],
    { NODE_ENV: 'production', LOG_LEVEL: 'error' },
    port,
    dirname(supergraphFile),
  );
}

/** Apollo Gateway + Apollo Server 4 on Node, on the same supergraph. */
export async function startApolloGateway(supergraphFile: string): Promise<GatewayVariant> {
  const port = await freePort();
  return startProcess(
    'apollo gateway',
    ['node', join(root, 'perf/peers/apollo-gateway.mjs')],
    { SUPERGRAPH_FILE: supergraphFile, NODE_ENV: 'production' },
    port,
  );
}
