import type { SimulatedAccount } from './account';

/** One page of a list and the opaque token for the next one. */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * Slice `all` at the offset carried by `token`. Tokens are opaque (base64 of an offset), as
 * AWS asks callers to treat them; a token we did not issue answers `badToken()`.
 */
export function page<T>(all: readonly T[], token: string | undefined, size: number, badToken: () => Error): Page<T> {
  let start = 0;
  if (token !== undefined && token !== '') {
    const decoded = /^sim:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
    if (!decoded) throw badToken();
    start = Number(decoded[1]);
  }
  const items = all.slice(start, start + size);
  const next = start + size < all.length ? Buffer.from(`sim:${start + size}`, 'utf8').toString('base64') : undefined;
  return next === undefined ? { items } : { items, nextToken: next };
}

/**
 * A deterministic id of `length` hex digits, unique per account (drawn from the account's
 * id counter and scrambled so ids do not look sequential; never from the seeded random
 * generator, so adding a resource does not shift the throttling sequence).
 */
export function hexId(account: SimulatedAccount, length: number): string {
  let n = parseInt(account.nextId(), 16) >>> 0;
  let out = '';
  while (out.length < length) {
    n = (n + 0x9e3779b9) >>> 0;
    let z = n;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    out += z.toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}

/** The last path segment of an ARN (or the value itself when it is a short name). */
export function shortName(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
}

export const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

/** A deterministic version-4-shaped UUID (event ids, lifecycle action tokens, message ids). */
export function uuid(account: SimulatedAccount): string {
  const h = hexId(account, 32);
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** EventBridge's `time`: ISO 8601 to the second, e.g. "2026-11-23T10:00:00Z". */
export const eventTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The envelope EventBridge puts around every event. */
export interface EventBridgeEvent<D> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
}
