import * as z from 'zod';
import { parseEvent } from '../../lambda/events';

/** One run over the account's log volumes; the trigger carries nothing else. */
export interface LogVolumesRequest {
  kind: 'scheduled' | 'manual';
  /** The event's id (the correlation id), when there is one. */
  id?: string;
}

/** An EventBridge Scheduler / scheduled-rule event: `aws.events` / `Scheduled Event`. */
const scheduled = z.object({
  id: z.string().min(1),
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
  time: z.iso.datetime({ offset: true, message: 'expected an ISO-8601 time' }),
});

/** The schedule's event or `{}`; anything else is an EventValidationError naming the bad fields. */
export function parseLogVolumesEvent(event: unknown): LogVolumesRequest {
  // A manual invoke: nothing, or `{}`.
  if (event === undefined || event === null || (typeof event === 'object' && Object.keys(event).length === 0)) return { kind: 'manual' };
  const e = parseEvent(scheduled, event, 'logVolumes scheduled event');
  return { kind: 'scheduled', id: e.id };
}
