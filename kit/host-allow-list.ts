import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';

/**
 * Where a service may send requests when someone else chose the URL: a subgraph's routing URL
 * (the gateway forwards users' `Authorization` headers there) or a webhook (the registry POSTs to
 * it). A list is comma-separated entries:
 *
 * - `*`: any host;
 * - `offers.internal`, `offers.internal:4002`: that host name (on any port, or on that port);
 * - `*.svc.cluster.local`: any name under that domain (not the domain itself), optionally `:port`;
 * - `10.1.2.3`, `10.1.2.3:4002`, `::1`, `[::1]:4002`: that IP address;
 * - `10.0.0.0/8`, `fd00::/8`: IP addresses in that range.
 *
 * Names match names and addresses match addresses: a CIDR allows URLs written with an IP address
 * in it, not names that resolve into it. Whatever the list says, link-local and cloud metadata
 * hosts are refused (`refusedAddress`, `REFUSED_NAMES`), also when a name resolves to one
 * (`resolveAllowedAddress`).
 */
export interface HostAllowList {
  /** The entries as written (after trimming), for the start-up log. */
  readonly entries: readonly string[];
  /** Null when `url` may be called; otherwise why not, naming the URL's host (never the whole URL). */
  check(url: URL): HostRefusal | null;
}

export interface HostRefusal {
  /** `host[:port]` of the URL: safe to log and to answer with, unlike the URL's path and query. */
  host: string;
  reason: 'not-allowed' | 'link-local-or-metadata';
  message: string;
}

/** Loopback only: what production allows when no list is configured. */
export const LOOPBACK_HOSTS = 'localhost,127.0.0.0/8,::1';
/** Any host (still never link-local or metadata ones). */
export const ANY_HOST = '*';

/** Cloud metadata services by name (GCP; AWS, Azure, GCP and others also answer on 169.254.169.254). */
const REFUSED_NAMES: readonly string[] = ['metadata.google.internal', 'metadata'];

const REFUSED_RANGES: [string, number, 'ipv4' | 'ipv6'][] = [
  ['169.254.0.0', 16, 'ipv4'], // link-local, includes the metadata service at 169.254.169.254
  ['100.100.100.200', 32, 'ipv4'], // Alibaba Cloud metadata
  ['fe80::', 10, 'ipv6'], // link-local
  ['fd00:ec2::254', 128, 'ipv6'], // AWS metadata over IPv6
  ['64:ff9b::a9fe:0', 112, 'ipv6'], // 169.254.0.0/16 through NAT64
];
const refused = new BlockList();
for (const [address, prefix, type] of REFUSED_RANGES) refused.addSubnet(address, prefix, type);

/** True for link-local and cloud metadata addresses (also IPv4-mapped IPv6 forms of them). */
function refusedAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && refused.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** The list a variable holds (already validated, see `env.hostAllowList`), or `fallback` when it is unset or empty. */
export function allowedHosts(value: string | undefined, fallback: string): HostAllowList {
  const parsed = parseHostAllowList(value?.trim() ? value : fallback);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.list;
}

type Entry = (host: { name: string; address: 0 | 4 | 6; port: number }) => boolean;

/** Parses a list; an entry it cannot read is a problem naming that entry. */
export function parseHostAllowList(value: string): { list: HostAllowList } | { problem: string } {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const matchers: Entry[] = [];
  for (const entry of entries) {
    const matcher = parseEntry(entry.toLowerCase());
    if (typeof matcher === 'string') return { problem: `"${entry}" ${matcher}` };
    matchers.push(matcher);
  }
  return {
    list: {
      entries,
      check(url) {
        const host = url.host;
        const name = bare(url.hostname);
        const address = isIP(name) as 0 | 4 | 6;
        if ((address && refusedAddress(name)) || (!address && REFUSED_NAMES.includes(name))) {
          return {
            host,
            reason: 'link-local-or-metadata',
            message: `host ${host} is link-local or a cloud metadata service, which is never allowed`,
          };
        }
        const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
        if (matchers.some((matches) => matches({ name, address, port }))) return null;
        return { host, reason: 'not-allowed', message: `host ${host} is not allowed` };
      },
    },
  };
}

const NAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

function parseEntry(entry: string): Entry | string {
  if (entry === '*') return () => true;
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
  if (cidr) {
    const family = isIP(cidr[1]!);
    const prefix = Number(cidr[2]);
    if (!family) return 'is not a CIDR range (address/prefix)';
    if (prefix > (family === 6 ? 128 : 32)) return 'has an invalid prefix length';
    const range = new BlockList();
    range.addSubnet(cidr[1]!, prefix, family === 6 ? 'ipv6' : 'ipv4');
    return ({ name, address }) => address !== 0 && range.check(name, address === 6 ? 'ipv6' : 'ipv4');
  }
  // host, host:port, [v6], [v6]:port, or a bare IPv6 address (which has no port).
  const parts =
    isIP(entry) === 6
      ? [entry, undefined]
      : (/^\[([^\]]+)\](?::(\d+))?$/.exec(entry)?.slice(1) ?? /^([^:]+)(?::(\d+))?$/.exec(entry)?.slice(1));
  if (!parts) return 'is not a host, host:port, IP address or CIDR range';
  const [host, portText] = parts as [string, string | undefined];
  const only = portText === undefined ? undefined : Number(portText);
  if (only !== undefined && !(only >= 1 && only <= 65535)) return 'has an invalid port';
  const onPort = (port: number) => only === undefined || only === port;
  const family = isIP(host);
  if (family) {
    const single = new BlockList();
    single.addAddress(host, family === 6 ? 'ipv6' : 'ipv4');
    return ({ name, address, port }) =>
      address !== 0 && single.check(name, address === 6 ? 'ipv6' : 'ipv4') && onPort(port);
  }
  const wildcard = host.startsWith('*.');
  const domain = bare(wildcard ? host.slice(2) : host);
  if (!NAME.test(domain)) return 'is not a host name';
  if (wildcard) return ({ name, address, port }) => address === 0 && name.endsWith(`.${domain}`) && onPort(port);
  return ({ name, address, port }) => address === 0 && name === domain && onPort(port);
}

/** `[::1]` → `::1`, `example.com.` → `example.com`: the form entries and refusals are compared in. */
const bare = (hostname: string) =>
  hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.+$/, '')
    .toLowerCase();

export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: LookupAll = (hostname) => lookup(hostname, { all: true });

/**
 * The address to connect to for `url`, after resolving its name: refused when any address the
 * name resolves to is link-local or cloud metadata. Connecting to exactly this address (instead
 * of letting the HTTP client resolve the name again) closes the DNS-rebinding window between the
 * check and the request.
 */
export async function resolveAllowedAddress(
  url: URL,
  resolve: LookupAll = systemLookup,
): Promise<{ address: string } | HostRefusal> {
  const name = bare(url.hostname);
  if (isIP(name)) {
    return refusedAddress(name)
      ? {
          host: url.host,
          reason: 'link-local-or-metadata',
          message: `host ${url.host} is link-local or a cloud metadata service, which is never allowed`,
        }
      : { address: name };
  }
  const addresses = await resolve(name);
  if (addresses.length === 0) throw new Error(`host ${url.host} did not resolve to any address`);
  const bad = addresses.find((a) => refusedAddress(a.address));
  if (bad)
    return {
      host: url.host,
      reason: 'link-local-or-metadata',
      message: `host ${url.host} resolves to ${bad.address}, a link-local or cloud metadata address, which is never allowed`,
    };
  return { address: addresses[0]!.address };
}
