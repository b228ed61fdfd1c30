import { createHmac } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Resolves a host name to every address it has (tests pass their own to play DNS). */
export type Lookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * What `WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true` opens: the operator's own networks. Unspecified,
 * multicast, broadcast and the other reserved ranges stay closed: no receiver lives there.
 */
const PRIVATE_RANGES = new Set(['loopback', 'private', 'linkLocal', 'uniqueLocal', 'carrierGradeNat']);

/** Why a webhook URL may not be called; the message is shown to the owner and kept in the delivery log. */
export class TargetRefused extends Error {
  override name = 'TargetRefused';
}

export interface TransportOptions {
  allowPrivateAddresses?: boolean;
  /** How long one POST may take, from connecting to the response's headers. */
  timeoutMs?: number;
  lookup?: Lookup;
}

export interface Attempt {
  /** The receiver's HTTP status, when it answered. */
  status: number | null;
  /** Why the attempt failed; null when the receiver answered 2xx. */
  error: string | null;
}

/**
 * Standard Webhooks signature (https://www.standardwebhooks.com): base64 HMAC-SHA256 of
 * "<id>.<timestamp>.<body>", keyed with the base64-decoded part of the `whsec_` secret.
 */
export function sign(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/**
 * Calls webhook URLs, and only ones on the public internet (unless the operator allows private
 * addresses): the host is resolved, every address it resolves to is checked, and the connection
 * goes to the checked address (with the URL's own Host header and TLS server name), so a DNS
 * answer that changes between the check and the connection (rebinding) cannot redirect it.
 */
export class WebhookTransport {
  readonly timeoutMs: number;
  private readonly allowPrivate: boolean;
  private readonly lookup: Lookup;

  constructor(options: TransportOptions = {}) {
    this.allowPrivate = options.allowPrivateAddresses ?? false;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.lookup = options.lookup ?? systemLookup;
  }

  /** The address to connect to for `url`, or TargetRefused saying why not. */
  async resolve(url: URL): Promise<{ address: string; family: 4 | 6 }> {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: { address: string }[];
    if (isIP(host)) addresses = [{ address: host }];
    else {
      try {
        addresses = await this.lookup(host);
      } catch (error) {
        throw new TargetRefused(`${host} does not resolve (${(error as { code?: string }).code ?? 'no address'}).`);
      }
      if (addresses.length === 0) throw new TargetRefused(`${host} does not resolve.`);
    }
    // Every answer must pass: a name that also resolves inside the network is refused whole.
    for (const { address } of addresses) {
      if (!ipaddr.isValid(address)) throw new TargetRefused(`${host} resolves to "${address}", not an IP address.`);
      // process() turns IPv4-mapped IPv6 (::ffff:127.0.0.1) into the IPv4 address it carries.
      const range = ipaddr.process(address).range();
      if (range !== 'unicast' && !(this.allowPrivate && PRIVATE_RANGES.has(range))) {
        const what = host === address ? address : `${host} resolves to ${address}, which`;
        throw new TargetRefused(`${what} is not a public address (${range}).`);
      }
    }
    const address = ipaddr.process(addresses[0].address).toString();
    return { address, family: isIP(address) === 6 ? 6 : 4 };
  }

  /** One POST; resolves (never rejects) with what happened, for the delivery log. `cancel`: shutting down. */
  async post(rawUrl: string, headers: Record<string, string>, body: string, cancel?: AbortSignal): Promise<Attempt> {
    const url = new URL(rawUrl);
    let target: { address: string; family: 4 | 6 };
    try {
      target = await this.resolve(url);
    } catch (error) {
      return { status: null, error: `refused: ${(error as Error).message}` };
    }
    // net.connect asks this instead of DNS: the checked address, in whichever shape it asks for.
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if (options.all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
      else callback(null, target.address, target.family);
    };
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Attempt>((resolve) => {
      const req = request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          lookup: pinned,
          signal: cancel
            ? AbortSignal.any([cancel, AbortSignal.timeout(this.timeoutMs)])
            : AbortSignal.timeout(this.timeoutMs),
          // Redirects are not followed (node:http never does): a 3xx is a failed attempt.
        },
        (res) => {
          res.resume(); // the receiver's body is not read, only drained
          const status = res.statusCode ?? null;
          const ok = status !== null && status >= 200 && status < 300;
          resolve({ status, error: ok ? null : `HTTP ${status}` });
        },
      );
      req.on('error', (error) => {
        const aborted = error.name === 'AbortError' || error.name === 'TimeoutError';
        const why = cancel?.aborted
          ? 'interrupted: the server is shutting down'
          : `timed out after ${this.timeoutMs} ms`;
        resolve({ status: null, error: aborted ? why : error.message });
      });
      req.end(body);
    });
  }
}

const strict = new WebhookTransport();

/** The configured transport; without one (unit tests of the rules), the strict default: public addresses only. */
export function transportOf(ctx: { webhookTransport?: WebhookTransport }): WebhookTransport {
  return ctx.webhookTransport ?? strict;
}
