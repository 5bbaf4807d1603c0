/** Whether nothing listens on `hostname:port`: binds it for a moment. */
export function portIsFree(hostname: string, port: number): boolean {
  try {
    Bun.listen({ hostname, port, socket: { data() {} } }).stop(true);
    return true;
  } catch {
    return false;
  }
}

/**
 * `count` distinct free ports on `hostname`, all held while chosen so none is handed out twice,
 * then released for whoever is told to bind them. Another process may take one meanwhile: the
 * one told then fails to bind and says so.
 */
export function freePorts(hostname: string, count: number): number[] {
  const probes = Array.from({ length: count }, () => Bun.listen({ hostname, port: 0, socket: { data() {} } }));
  const ports = probes.map((probe) => probe.port);
  for (const probe of probes) probe.stop(true);
  return ports;
}

/** One free loopback port (the OS's choice), for a server a test or a tool starts and stops itself. */
export async function freePort(): Promise<number> {
  return freePorts('127.0.0.1', 1)[0]!;
}
