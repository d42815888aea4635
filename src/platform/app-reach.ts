import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Where a VM's app answers. `scheme` only when the address speaks another scheme than the image declares. */
export interface AppEndpoint {
  host: string;
  port: number;
  scheme?: 'http' | 'https';
}

/** A demo VM as the app knows it. */
export interface VmAddress {
  zone: string;
  instanceName: string;
  externalIp: string | null;
}

/**
 * How the app reaches a demo VM's app — the "Open the app" link and the readiness probe — and which
 * targets the probe may fetch: an image's labels choose the port and path, so they must never steer
 * the app into GETting something of its own (its loopback, the metadata server, its own addresses).
 */
export interface AppReach {
  /** Where the VM's declared app port answers; null while it has no address. */
  endpoint(vm: VmAddress, port: number): AppEndpoint | null;
  /** May the readiness probe fetch this target? */
  mayProbe(target: AppEndpoint): boolean;
}

/**
 * GCE: a VM's app is at its external IP, on the declared port. The probe fetches only a public-looking
 * IP literal: never loopback, "this network" (0.0.0.0/8, which reaches the host itself), link-local
 * (169.254.0.0/16 holds the metadata server; fe80::/10), multicast, nor any address of this machine.
 */
export function gceAppReach(ownAddresses: readonly string[] = localAddresses()): AppReach {
  const refused = new BlockList();
  refused.addSubnet('0.0.0.0', 8, 'ipv4');
  refused.addSubnet('127.0.0.0', 8, 'ipv4');
  refused.addSubnet('169.254.0.0', 16, 'ipv4');
  refused.addSubnet('224.0.0.0', 4, 'ipv4');
  refused.addAddress('255.255.255.255', 'ipv4');
  refused.addAddress('::', 'ipv6');
  refused.addAddress('::1', 'ipv6');
  refused.addSubnet('fe80::', 10, 'ipv6');
  refused.addSubnet('ff00::', 8, 'ipv6');
  for (const a of ownAddresses) if (isIP(a)) refused.addAddress(a, isIP(a) === 6 ? 'ipv6' : 'ipv4');
  return {
    endpoint: (vm, port) => (vm.externalIp ? { host: vm.externalIp, port } : null),
    mayProbe: ({ host }) => {
      const bare = host.replace(/^\[(.*)\]$/, '$1');
      const family = isIP(bare);
      // Only IP literals: a name could resolve anywhere by the time it is fetched.
      return family !== 0 && !refused.check(bare, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/** Every address of this machine's interfaces (a pod's own IP included). */
function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .map((i) => i?.address.replace(/%.*$/, ''))
    .filter((a): a is string => !!a);
}

/** The app's URL on its endpoint; the scheme's default port is left out. */
export function endpointUrl(declared: { scheme: 'http' | 'https'; path: string }, at: AppEndpoint): string {
  const scheme = at.scheme ?? declared.scheme;
  const defaultPort = (scheme === 'http' && at.port === 80) || (scheme === 'https' && at.port === 443);
  const host = isIP(at.host) === 6 ? `[${at.host}]` : at.host;
  return `${scheme}://${host}${defaultPort ? '' : `:${at.port}`}${declared.path}`;
}
