import { BlockList, isIP } from 'node:net';

/**
 * Which destinations the service may connect to on a tenant's or an operator's say (webhooks),
 * from a setting in the form of Gitea's ALLOWED_HOST_LIST: comma-separated entries, each
 * `external` (public unicast addresses), `loopback`, `private` (RFC 1918, unique local, shared
 * address space), a CIDR (`10.1.0.0/16`, `fd00::/8`), a host name (`hooks.example.com`, or
 * `*.example.com` for its subdomains), or `*` (anything). Link-local (169.254.0.0/16, fe80::/10,
 * where clouds answer with credentials), unspecified, multicast and reserved addresses are
 * allowed only by a CIDR that names them, or `*`. An IPv4-mapped IPv6 address is judged as the
 * IPv4 address it maps.
 */
export class AddressPolicy {
  private readonly any: boolean;
  private readonly external: boolean;
  private readonly loopback: boolean;
  private readonly private: boolean;
  private readonly cidrs = new BlockList();
  private readonly names: string[] = [];
  private readonly suffixes: string[] = [];

  constructor(readonly setting: string) {
    const entries = setting
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter((e) => e.length > 0);
    if (entries.length === 0) throw new Error('names no entry');
    this.any = entries.includes('*');
    this.external = entries.includes('external');
    this.loopback = entries.includes('loopback');
    this.private = entries.includes('private');
    for (const entry of entries) {
      if (['*', 'external', 'loopback', 'private'].includes(entry)) continue;
      const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
      if (cidr) {
        const family = isIP(cidr[1]);
        const bits = Number(cidr[2]);
        if (family === 0 || bits > (family === 4 ? 32 : 128)) {
          throw new Error(`has an invalid CIDR "${entry}"`);
        }
        this.cidrs.addSubnet(cidr[1], bits, family === 4 ? 'ipv4' : 'ipv6');
      } else if (/^(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+$/.test(entry) && isIP(entry) === 0) {
        if (entry.startsWith('*.')) this.suffixes.push(entry.slice(1));
        else this.names.push(entry);
      } else if (isIP(entry) !== 0) {
        this.cidrs.addAddress(entry, isIP(entry) === 4 ? 'ipv4' : 'ipv6');
      } else {
        throw new Error(`has an entry that is no keyword, CIDR or host name: "${entry}"`);
      }
    }
  }

  /** Whether a host name (not an address) is allowed by name, whatever it resolves to. */
  allowsName(host: string): boolean {
    const name = host.toLowerCase().replace(/\.$/, '');
    return (
      this.any ||
      this.names.includes(name) ||
      this.suffixes.some((s) => name.endsWith(s) && name.length > s.length)
    );
  }

  /** Whether the service may connect to `address` (an IPv4 or IPv6 address). */
  allowsAddress(address: string): boolean {
    if (this.any) return true;
    const ip = unmapped(address.replace(/^\[|\]$/g, ''));
    const family = isIP(ip);
    if (family === 0) return false;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (this.cidrs.check(ip, type)) return true;
    const kind = classify(ip, type);
    return (
      (kind === 'external' && this.external) ||
      (kind === 'loopback' && this.loopback) ||
      (kind === 'private' && this.private)
    );
  }
}

type Kind = 'external' | 'loopback' | 'private' | 'special';

const ranges = (list: Array<[string, number, 'ipv4' | 'ipv6']>): BlockList => {
  const b = new BlockList();
  for (const [net, bits, type] of list) b.addSubnet(net, bits, type);
  return b;
};
const LOOPBACK = ranges([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
const PRIVATE = ranges([
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
]);
/** link-local, unspecified, "this network", multicast, reserved, documentation and the like */
const SPECIAL = ranges([
  ['0.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::', 96, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
]);

function classify(ip: string, type: 'ipv4' | 'ipv6'): Kind {
  if (LOOPBACK.check(ip, type)) return 'loopback';
  if (PRIVATE.check(ip, type)) return 'private';
  if (SPECIAL.check(ip, type)) return 'special';
  return 'external';
}

/** `::ffff:a.b.c.d` (in either spelling) as `a.b.c.d`; any other address as it is. */
function unmapped(ip: string): string {
  const m = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (!m) return ip;
  if (m[1]) return m[1];
  const hi = parseInt(m[2], 16);
  const lo = parseInt(m[3], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}
