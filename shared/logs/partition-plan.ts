import { EventValidationError } from '../lambda/errors';
import { addDays, dateRange, daysInRange, localDate, type IsoDate } from './dates';
import type { LogPartitionsRequest } from './events';
import type { PartitionDefinition } from './catalog';
import { partitionDefinition } from './table-input';
import type { PartitionTarget } from './table-plan';

export interface TablePartitions {
  table: string;
  partitions: PartitionDefinition[];
}

/**
 * The partitions to create: every target table × every date. Pure. Creating a partition that
 * exists is answered AlreadyExists per entry and counts as done, so the plan does not need
 * to read what exists first (that would cost one GetPartitions per table every day).
 */
export function planPartitions(targets: readonly PartitionTarget[], dates: readonly IsoDate[]): TablePartitions[] {
  return targets.map((t) => ({ table: t.table, partitions: dates.map((d) => partitionDefinition(t, d)) }));
}

/**
 * The dates a run covers. Daily: today and tomorrow in the configured time zone, so the
 * partition for the first log line after midnight already exists — whatever time of day the
 * schedule fires. Backfill: the requested range, refused when longer than `maxDays`.
 */
export function datesFor(request: LogPartitionsRequest, now: number, settings: { timeZone: string; backfillMaxDays: number }): IsoDate[] {
  if (request.kind === 'daily') {
    const today = localDate(now, settings.timeZone);
    return [today, addDays(today, 1)];
  }
  const days = daysInRange(request.from, request.to);
  if (days > settings.backfillMaxDays) {
    throw new EventValidationError('backfill range too large', [
      `${request.from}..${request.to} is ${days} days; at most ${settings.backfillMaxDays} per invocation (LOGS_BACKFILL_MAX_DAYS) — split it into several events`,
    ]);
  }
  return dateRange(request.from, request.to);
}
