import * as z from 'zod';
import { parseEvent } from '../../lambda/events';

/** What an on-demand invocation may ask: other clusters than configured, or the applications' keep-alive timeout. */
export interface PreflightRequest {
  clusters?: string[];
  appKeepAliveSeconds?: number;
}

const request = z
  .object({
    clusters: z.array(z.string().min(1, 'expected a cluster name or ARN')).optional(),
    appKeepAliveSeconds: z.number().int().min(1).max(86_400).optional(),
  })
  .strict();

/** `{}`, `null` or `{ clusters?, appKeepAliveSeconds? }`; anything else is an EventValidationError naming each bad field. */
export function parsePreflightEvent(event: unknown): PreflightRequest {
  if (event === null || event === undefined) return {};
  const r = parseEvent(request, event, 'preflight request');
  return {
    ...(r.clusters ? { clusters: r.clusters } : {}),
    ...(r.appKeepAliveSeconds ? { appKeepAliveSeconds: r.appKeepAliveSeconds } : {}),
  };
}
