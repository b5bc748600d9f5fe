// Where webhooks may be sent. A tenant's admin chooses the URL, so without a check the service could be
// made to POST into its own network: cloud metadata (169.254.169.254), databases on 10/8 or fd00::/8,
// localhost, and the failure statuses would map that network like a port scanner. Private, loopback,
// link-local, shared, reserved and multicast addresses are refused, after DNS resolution and again at
// each delivery (the connection goes to the very address that was checked, so a name that resolves
// to a public address when registered and a private one later gains nothing). On-premise receivers are
// allowed explicitly, by address range or host name.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

const BLOCKED_V4 = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const;
const BLOCKED_V6 = [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const;

const blocked = new BlockList();
for (const [net, prefix] of BLOCKED_V4) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of BLOCKED_V6) blocked.addSubnet(net, prefix, 'ipv6');

export class BlockedDestinationError extends Error {
  readonly code = 'EBLOCKEDDESTINATION';
  constructor(message: string) {
    super(message);
    this.name = 'BlockedDestinationError';
  }
}

/** "10.0.0.0/8", "fd00::/8", "192.168.1.20" or a host name ("hooks.corp.example"). */
export type AllowEntry = string;

export class DestinationPolicy {
  private readonly allowed = new BlockList();
  private readonly allowedHosts = new Set<string>();

  /** Throws on an entry that is neither an address, a range nor a host name. */
  constructor(allow: readonly AllowEntry[] = []) {
    for (const raw of allow) {
      const entry = raw.trim().toLowerCase();
      const [net, prefixText] = entry.split('/', 2) as [string, string | undefined];
      const family = isIP(net);
      if (family !== 0) {
        const type = family === 4 ? 'ipv4' : 'ipv6';
        const prefix = prefixText === undefined ? (family === 4 ? 32 : 128) : Number(prefixText);
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128))
          throw new Error(`webhook allow-list: bad prefix in "${raw}"`);
        this.allowed.addSubnet(net, prefix, type);
      } else if (/^[a-z0-9.-]+$/.test(entry) && prefixText === undefined) {
        this.allowedHosts.add(entry.replace(/\.$/, ''));
      } else {
        throw new Error(`webhook allow-list: "${raw}" is not an address, a range (10.0.0.0/8) or a host name`);
      }
    }
  }

  /** Why `address` may not be sent to for `host`, or null when it may. */
  refusal(host: string, address: string): string | null {
    if (this.allowedHosts.has(host.toLowerCase().replace(/\.$/, ''))) return null;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const ip = mapped ?? address;
    const type = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
    if (!blocked.check(ip, type) || this.allowed.check(ip, type)) return null;
    const named = host === address ? address : `${host} (${address})`;
    return (
      `${named} is a private, loopback, link-local or reserved address; webhooks are only sent to public addresses ` +
      'unless the service allows it (lifeguard serve --webhook-allow)'
    );
  }

  /** Checks a URL before it is stored: its literal address, or every address its host resolves to now. */
  async check(url: string): Promise<string | null> {
    const host = hostOf(url);
    if (isIP(host)) return this.refusal(host, host);
    let addresses: LookupAddress[];
    try {
      addresses = await new Promise((resolve, reject) =>
        dnsLookup(host, { all: true }, (err, a) => (err ? reject(err) : resolve(a))),
      );
    } catch {
      return null; // not resolvable now: each delivery checks again, and fails until it is
    }
    for (const a of addresses) {
      const why = this.refusal(host, a.address);
      if (why) return why;
    }
    return null;
  }

  /**
   * A `lookup` for http.request: resolves, and fails the connection with BlockedDestinationError when
   * any address is refused, so the request can only connect to an address that was checked.
   */
  readonly lookup = (
    hostname: string,
    options: { all?: boolean; family?: number },
    callback: (...args: unknown[]) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err);
      for (const a of addresses) {
        const why = this.refusal(hostname, a.address);
        if (why) return callback(new BlockedDestinationError(why));
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** The URL's host as Node connects to it: brackets off IPv6, and WHATWG's normal form of "2130706433" or "0x7f.1". */
export function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
}
