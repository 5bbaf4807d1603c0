import { BlockList, isIP } from 'node:net';

/** What the rate limiter needs from the GraphQL context. */
export interface IdentityContext {
  /** The verified token (security/index.ts's useJWT puts it here). */
  jwt?: { payload?: { sub?: unknown } };
  /** The TCP peer, passed by the HTTP server as server context (Bun: `server.requestIP(request)`). */
  remoteAddress?: string;
  /** Node's http server context (the stock hive-gateway CLI on Node). */
  req?: { socket?: { remoteAddress?: string } };
}

/** Loopback: tests and benchmarks on the gateway's own host; production clients arrive from elsewhere. */
export const DEFAULT_EXEMPT_ADDRESSES = '127.0.0.0/8,::1';

export interface ClientIdentifierOptions {
  /** Proxies whose X-Forwarded-For names the client: addresses or CIDR ranges. */
  trustedProxies: readonly string[];
  /** Anonymous clients at these addresses or ranges have no budgets (loopback: tests, benchmarks). */
  exempt: readonly string[];
  /** Told once when the HTTP server passes no peer address. */
  onUnknownAddress?: () => void;
  /** Told once when an exempt peer forwards X-Forwarded-For without being a trusted proxy. */
  onUntrustedForwarder?: (address: string) => void;
}

/**
 * Who a request is charged to: the verified user (`user:<sub>`, the same budget from any address),
 * else the client address (`ip:<address>`), or null for no budget at all.
 *
 * X-Forwarded-For is believed only from a peer in `trustedProxies`: walking it from the right,
 * each trusted hop is skipped and the first address that is not a trusted proxy is the client
 * (anyone can write that header, so from an untrusted peer it is ignored). An anonymous client at
 * an `exempt` address is not limited. Nor is one whose address is unknown (the server passed
 * none): one budget shared by every such client would let any of them lock out all the others.
 */
export function createClientIdentifier(options: ClientIdentifierOptions) {
  const trusted = addressList(options.trustedProxies);
  const exempt = addressList(options.exempt);
  const once = onceEach();

  return function identify(context: IdentityContext, request?: Request): string | null {
    const sub = context.jwt?.payload?.sub;
    if (typeof sub === 'string' && sub) return `user:${sub}`;
    const peer = normalize(context.remoteAddress ?? context.req?.socket?.remoteAddress);
    if (!peer || !isIP(peer)) {
      once('unknown', () => options.onUnknownAddress?.());
      return null;
    }
    const forwarded = request?.headers.get('x-forwarded-for');
    let address = peer;
    if (forwarded && matches(trusted, peer)) {
      const hops = forwarded
        .split(',')
        .map((hop) => normalize(hop.trim()))
        .filter((hop): hop is string => !!hop && isIP(hop) !== 0);
      while (hops.length && matches(trusted, address)) address = hops.pop()!;
    }
    if (!matches(exempt, address)) return `ip:${address}`;
    if (forwarded && !matches(trusted, peer)) once('forwarder', () => options.onUntrustedForwarder?.(peer));
    return null;
  };
}

/** `127.0.0.1, 10.0.0.0/8, ::1` as a BlockList; throws a readable error on a malformed entry. */
export function addressList(entries: readonly string[]): BlockList | null {
  if (!entries.length) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const family = isIP(address);
    if (!family) throw new Error(`"${entry}" is not an IP address or CIDR range`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const prefix = Number(bits);
    if (!/^\d+$/.test(bits) || prefix > (family === 6 ? 128 : 32))
      throw new Error(`"${entry}" has an invalid prefix length`);
    list.addSubnet(address, prefix, type);
  }
  return list;
}

const matches = (list: BlockList | null, address: string) =>
  list?.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** IPv4 clients of a dual-stack socket appear as `::ffff:1.2.3.4`. */
function normalize(address: string | undefined): string | undefined {
  if (!address) return undefined;
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function onceEach() {
  const done = new Set<string>();
  return (key: string, run: () => void) => {
    if (done.has(key)) return;
    done.add(key);
    run();
  };
}
