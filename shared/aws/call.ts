/**
 * Options every adapter method takes: an abort signal tied to the caller's deadline, so a
 * call still in flight (or waiting in the SDK's retry backoff) when the time is up is
 * abandoned instead of landing after the deadline.
 */
export interface CallOptions {
  signal?: AbortSignal;
}

/** The SDK's per-send options for a call. */
export const sendOptions = (o: CallOptions | undefined) => (o?.signal ? { abortSignal: o.signal } : undefined);

/** A per-item failure AWS reported (or a call that failed for one item), never dropped. */
export interface ItemFailure {
  arn: string;
  reason: string;
}

/**
 * Follow `nextToken` to the end. Written out instead of the SDK's paginators because those
 * take no abort signal.
 */
export async function pages<T>(
  fetch: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string | undefined }>,
): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    all.push(...page.items);
    token = page.nextToken || undefined;
  } while (token);
  return all;
}
