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
 * Every item of every page of one SDK paginator, in order. Call it as
 * `collect(paginateX({ client }, input, sendOptions(o)), (page) => page.Items)`: the paginator hands
 * its arguments after `input` to each `client.send`, so the abort signal reaches every page, and it
 * follows the token until a page comes back without one. Page sizes go in `input`, as the API names
 * them (some paginators, e.g. ELBv2 DescribeListeners', have no page-size setting of their own).
 * Throws whatever a page's call throws (an abort included); the pages read before are dropped.
 * The paginator writes the token into `input` between pages: give each call a fresh object.
 * `beforeNext` runs after each page and is awaited before the next is asked for (a caller's pacing).
 */
export async function collect<P, T>(
  pages: AsyncIterable<P>,
  items: (page: P) => readonly T[] | undefined,
  beforeNext?: (page: P) => Promise<void>,
): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) {
    all.push(...(items(page) ?? []));
    // The paginator asks for the next page only when the loop comes back: a pace awaited here spaces the pages.
    if (beforeNext) await beforeNext(page);
  }
  return all;
}

/** A caller's pace between the pages of one listing: awaited before each next page is asked for (none after the last). */
export type PagePace = () => Promise<void>;
