import { LookupAddress, lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import type { AddressPolicy } from './address-policy';

/** A destination the policy does not allow; the message names the setting, never a URL. */
export class DestinationRefusedError extends Error {
  readonly code = 'EDESTINATIONREFUSED';
}

/** What a refusal says: the host and the setting that decides (its value included). */
export function refusal(host: string, address: string | null, policy: AddressPolicy): string {
  const where = address && address !== host ? `${host} (${address})` : host;
  return `${where} is not an allowed destination under WEBHOOK_ALLOWED_HOSTS=${policy.setting}`;
}

/**
 * Checks the URL's host against the policy as it resolves now: a host allowed by name passes;
 * an address, or every address a name resolves to, must be allowed. Resolves to null when it
 * is allowed, else to the reason.
 */
export async function destinationProblem(url: URL, policy: AddressPolicy): Promise<string | null> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return policy.allowsAddress(host) ? null : refusal(host, null, policy);
  if (policy.allowsName(host)) return null;
  let addresses: LookupAddress[];
  try {
    addresses = await new Promise((resolve, reject) =>
      dnsLookup(host, { all: true }, (err, found) => (err ? reject(err) : resolve(found))),
    );
  } catch {
    return `${host} could not be resolved`;
  }
  const refused = addresses.find((a) => !policy.allowsAddress(a.address));
  return refused ? refusal(host, refused.address, policy) : null;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request that hands the connection only addresses the policy allows, so
 * that the address actually connected to is checked at each request (DNS may answer otherwise
 * than when the URL was accepted). A name allowed by name resolves as usual.
 */
export function policyLookup(policy: AddressPolicy) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, found) => {
      if (err) return callback(err, []);
      const allowed = policy.allowsName(hostname)
        ? found
        : found.filter((a) => policy.allowsAddress(a.address));
      if (allowed.length === 0) {
        return callback(
          new DestinationRefusedError(refusal(hostname, found[0]?.address ?? null, policy)),
          [],
        );
      }
      if (options.all) callback(null, allowed);
      else callback(null, allowed[0].address, allowed[0].family);
    });
  };
}
