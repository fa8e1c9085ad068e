import * as z from 'zod';
import { parseEvent } from '../lambda/events';
import { isIsoDate } from './dates';
import { isAthenaName } from './naming';

/** Events of logPartitions and logSearch; a malformed one → EventValidationError naming the fields. */

const isoDate = z.string().refine(isIsoDate, 'expected a calendar date YYYY-MM-DD');
const tableName = z.string().refine(isAthenaName, 'expected a table name (lower-case letters, digits, _)');
/** ECS allows letters, digits, `-` and `_` in families and container names (up to 255). */
const ecsName = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'expected an ECS name (letters, digits, - and _)');
/** User text: any Unicode, but no NUL (it ends strings in too many places). */
const text = z
  .string()
  .min(1)
  .max(1000)
  .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters');

/** The EventBridge rule's `Scheduled Event` (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html). */
export const scheduledEvent = z.object({
  version: z.string().optional(),
  id: z.string().min(1),
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  account: z.string().optional(),
  time: z.iso.datetime({ offset: true }),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: z.object({}).passthrough().optional(),
});

/** `{ from, to, tables? }`: create partitions for a past (or future) date range. */
export const backfillEvent = z
  .object({
    from: isoDate,
    to: isoDate,
    tables: z.array(tableName).min(1).max(1000).optional(),
  })
  .strict()
  .refine((e) => e.from <= e.to, { message: 'from must not be after to', path: ['to'] });

/** `{}` from a manual `sls invoke -f logPartitions`: the daily run. */
export const manualDailyEvent = z.object({}).strict();

export const logPartitionsEvent = z.union([backfillEvent, scheduledEvent, manualDailyEvent]);

export type LogPartitionsRequest = { kind: 'daily' } | { kind: 'backfill'; from: string; to: string; tables?: string[] };

/** Pick the branch first, so a bad backfill is reported field by field, not as "no union member matched". */
export function parseLogPartitionsEvent(event: unknown): LogPartitionsRequest {
  const e = (event ?? {}) as Record<string, unknown>;
  if (typeof e === 'object' && ('from' in e || 'to' in e || 'tables' in e)) {
    const b = parseEvent(backfillEvent, event, 'backfill event');
    return { kind: 'backfill', from: b.from, to: b.to, ...(b.tables ? { tables: b.tables } : {}) };
  }
  if (typeof e === 'object' && 'detail-type' in e) parseEvent(scheduledEvent, event, 'scheduled event');
  else parseEvent(manualDailyEvent, event, 'logPartitions event (expected a scheduled event, {} or {from, to, tables?})');
  return { kind: 'daily' };
}

const search = z
  .object({
    table: tableName.optional(),
    family: ecsName.optional(),
    container: ecsName.optional(),
    date: isoDate.optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    contains: text.optional(),
    ignoreCase: z.boolean().optional(),
    regex: text.optional(),
    columns: z.array(z.string().min(1).max(255)).max(50).optional(),
    limit: z.number().int().min(1).optional(),
    order: z.enum(['asc', 'desc']).optional(),
    waitSeconds: z.number().int().min(0).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    const byName = e.family !== undefined || e.container !== undefined;
    if (e.table === undefined && !(e.family && e.container)) {
      ctx.addIssue({ code: 'custom', message: 'give table, or family and container', path: e.family ? ['container'] : ['family'] });
    }
    if (e.table !== undefined && byName)
      ctx.addIssue({ code: 'custom', message: 'give table or family/container, not both', path: ['table'] });
    const range = e.from !== undefined || e.to !== undefined;
    if (e.date !== undefined && range) ctx.addIssue({ code: 'custom', message: 'give date or from/to, not both', path: ['date'] });
    if (e.date === undefined && !(e.from && e.to))
      ctx.addIssue({ code: 'custom', message: 'give date, or from and to', path: [e.from ? 'to' : 'from'] });
    if (e.from && e.to && e.from > e.to) ctx.addIssue({ code: 'custom', message: 'from must not be after to', path: ['to'] });
  });

/** `{ queryExecutionId }`: fetch the results of a search that was still running. */
const resume = z
  .object({
    queryExecutionId: z.string().regex(/^[0-9a-f-]{8,128}$/i, 'expected an Athena query execution id'),
    limit: z.number().int().min(1).optional(),
    waitSeconds: z.number().int().min(0).optional(),
  })
  .strict();

export const logSearchEvent = z.union([resume, search]);
export type SearchRequest = z.infer<typeof search>;
export type ResumeRequest = z.infer<typeof resume>;

export function parseLogSearchEvent(
  event: unknown,
): { kind: 'search'; request: SearchRequest } | { kind: 'resume'; request: ResumeRequest } {
  if (event && typeof event === 'object' && 'queryExecutionId' in event) {
    return { kind: 'resume', request: parseEvent(resume, event, 'logSearch resume request') };
  }
  return { kind: 'search', request: parseEvent(search, event, 'logSearch request') };
}
