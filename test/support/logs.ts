import { makeHandler as makePartitionsHandler } from '../../functions/log-partitions/handler';
import { makeHandler as makeSearchHandler } from '../../functions/log-search/handler';
import type { PartitionsConfig, SearchConfig } from '../../shared/logs/config';
import { SimulatedAccount } from '../../sim/account';
import { recordingLogger, recordingMetrics } from './recorders';

export const DB = 'container_logs';

export function partitionsConfig(over: Partial<PartitionsConfig> = {}): PartitionsConfig {
  return {
    database: DB,
    bucket: 'acme-logs',
    prefix: 'fluentd',
    timeZone: 'UTC',
    logDrivers: ['fluentd', 'awsfirelens'],
    extraColumns: [{ name: 'container_id', type: 'string' }],
    manageForeignTables: false,
    projectionTables: new Set(),
    projectionStartYear: 2018,
    backfillMaxDays: 92,
    concurrency: 8,
    partitionRetries: 3,
    dryRun: false,
    ...over,
  };
}

export function searchConfig(over: Partial<SearchConfig> = {}): SearchConfig {
  return {
    database: DB,
    workgroup: 'primary',
    outputLocation: 's3://acme-logs/athena-results/',
    maxDays: 31,
    maxRows: 1000,
    defaultRows: 100,
    maxWaitMs: 60_000,
    ...over,
  };
}

/** Register a task definition whose containers log with the given drivers (undefined = no logConfiguration). */
export function registerFamily(account: SimulatedAccount, family: string, containers: Record<string, string | undefined>): void {
  account.ecs.registerTaskDefinition({
    family,
    containerDefinitions: Object.entries(containers).map(([name, driver]) => ({
      name,
      image: `${name}:1`,
      memory: 256,
      ...(driver
        ? {
            logConfiguration: {
              logDriver: driver as 'fluentd',
              options: { 'fluentd-address': 'localhost:24224', tag: `${family}.${name}` },
            },
          }
        : {}),
    })),
  });
}

export function partitionsWorld(config: Partial<PartitionsConfig> = {}, account = new SimulatedAccount()) {
  const logger = recordingLogger();
  const metrics = recordingMetrics();
  const clients = account.clients();
  const cfg = partitionsConfig(config);
  const handler = makePartitionsHandler(() => ({ clients, config: cfg, clock: account.clock, logger, metrics }));
  return { account, logger, metrics, handler, config: cfg };
}

export function searchWorld(config: Partial<SearchConfig> = {}, account = new SimulatedAccount()) {
  const logger = recordingLogger();
  const metrics = recordingMetrics();
  const clients = account.clients();
  const cfg = searchConfig(config);
  const handler = makeSearchHandler(() => ({ clients, config: cfg, clock: account.clock, logger, metrics }));
  return { account, logger, metrics, handler, config: cfg };
}

export const scheduledEvent = (time = '2026-11-23T22:00:00Z') => ({
  version: '0',
  id: 'a1b2c3d4-0000-4000-8000-000000000001',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time,
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/ecs-steady-dev-logPartitions'],
  detail: {},
});
