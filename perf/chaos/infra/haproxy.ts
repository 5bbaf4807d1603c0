import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitUntil, type Resources } from './processes';

/**
 * Debian's HAProxy in front of gateways, as a load balancer would be: round robin, each backend
 * health-checked on /readiness every 250 ms and taken out at the first 503 (a draining gateway),
 * failed connections retried on the other backend. A check may take up to 1.5 s: on two busy cores
 * a slow answer is not a dead gateway (with the default, `inter`, both were once taken out at once
 * and the balancer answered its own 503 page).
 */
export async function startHaproxy(resources: Resources, backends: string[]): Promise<{ url: string }> {
  const dir = resources.tempDir('haproxy');
  const port = await freePort();
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    `global
  maxconn 1024
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  retries 2
  option redispatch
  retry-on conn-failure empty-response
frontend gateways
  bind 127.0.0.1:${port}
  default_backend gateways
backend gateways
  balance roundrobin
  option httpchk GET /readiness
  http-check expect status 200
  timeout check 1500ms
  default-server inter 250 fall 1 rise 2
${backends.map((url, i) => `  server gateway${i} ${new URL(url).host} check`).join('\n')}
`,
  );
  resources.daemon('haproxy', [process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy', '-db', '-f', config]);
  const url = `http://127.0.0.1:${port}`;
  const up = await waitUntil(async () => (await fetch(`${url}/healthcheck`)).ok, 15_000, 200);
  if (!up) throw new Error(`haproxy did not serve on ${url}`);
  return { url };
}
