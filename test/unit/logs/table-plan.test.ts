import type { CatalogSettings } from '../../../shared/logs/config';
import { datesFor, planPartitions } from '../../../shared/logs/partition-plan';
import { MANAGED_MARKER, projectionParameters, tableDefinition, tableStorage } from '../../../shared/logs/table-input';
import { planTables, restrictPlan, selectLogContainers, type ExistingTable, type LogContainer } from '../../../shared/logs/table-plan';

const settings: CatalogSettings = {
  database: 'container_logs',
  bucket: 'acme-logs',
  prefix: 'fluentd',
  extraColumns: [{ name: 'container_id', type: 'string' }],
  manageForeignTables: false,
  projectionTables: new Set(),
  projectionStartYear: 2018,
};
const columns = [
  { name: 'time', type: 'string' },
  { name: 'log', type: 'string' },
  { name: 'container_id', type: 'string' },
];
const c = (family: string, container: string): LogContainer => ({ family, container, logDriver: 'fluentd' });

/** A table as ecs-steady made it, read back from Glue. */
function managed(name: string, location: string, extra: Partial<ExistingTable> = {}): ExistingTable {
  return { name, location, parameters: { [MANAGED_MARKER]: 'true' }, partitionKeys: ['year', 'month', 'day'], columns, ...extra };
}
function foreign(name: string, extra: Partial<ExistingTable> = {}): ExistingTable {
  const location = `s3://other/${name}/`;
  return {
    name,
    location,
    parameters: {},
    partitionKeys: ['year', 'month', 'day'],
    columns,
    storage: tableStorage(columns, location),
    ...extra,
  };
}

describe('table plan', () => {
  it('creates a table per log container, at the layout fluentd writes', () => {
    const plan = planTables([c('my-awesome-app', 'app'), c('billing', 'worker')], [], settings);
    expect(plan.create.map((s) => [s.name, s.location])).toEqual([
      ['billing_worker', 's3://acme-logs/fluentd/billing/worker/'],
      ['my_awesome_app_app', 's3://acme-logs/fluentd/my-awesome-app/app/'],
    ]);
    expect(plan.partitionTargets.map((t) => t.table)).toEqual(['billing_worker', 'my_awesome_app_app']);
    expect(plan.update).toEqual([]);
    expect(plan.skipped).toEqual([]);
  });

  it('is a no-op for tables that exist as configured (re-planning after apply)', () => {
    const first = planTables([c('app', 'web')], [], settings);
    const after = first.create.map((s) => managed(s.name, s.location));
    const second = planTables([c('app', 'web')], after, settings);
    expect(second.create).toEqual([]);
    expect(second.update).toEqual([]);
    expect(second.partitionTargets.map((t) => t.table)).toEqual(['app_web']);
  });

  it('keeps partitioning a managed table whose family is gone', () => {
    const plan = planTables([], [managed('old_web', 's3://acme-logs/fluentd/old/web/')], settings);
    expect(plan.partitionTargets.map((t) => [t.table, t.location])).toEqual([['old_web', 's3://acme-logs/fluentd/old/web/']]);
  });

  it('leaves foreign tables alone and says so when a container maps onto one', () => {
    const plan = planTables([c('app', 'web')], [foreign('app_web'), foreign('athena_stuff')], settings);
    expect(plan.create).toEqual([]);
    expect(plan.partitionTargets).toEqual([]);
    expect(plan.foreign).toEqual(['app_web', 'athena_stuff']);
    expect(plan.skipped).toEqual([
      expect.objectContaining({ table: 'app_web', reason: expect.stringContaining('not created by ecs-steady') }),
    ]);
  });

  it('partitions foreign year/month/day tables when told to, never updating them', () => {
    const plan = planTables([], [foreign('theirs'), foreign('by_dt', { partitionKeys: ['dt'] })], {
      ...settings,
      manageForeignTables: true,
    });
    expect(plan.partitionTargets.map((t) => [t.table, t.location])).toEqual([['theirs', 's3://other/theirs/']]);
    expect(plan.update).toEqual([]);
    expect(plan.skipped).toEqual([expect.objectContaining({ table: 'by_dt', reason: expect.stringContaining('keys: dt') })]);
  });

  it('refuses names that collide after normalisation, naming both containers', () => {
    const plan = planTables([c('my-app', 'web'), c('my_app', 'web'), c('other', 'web')], [], settings);
    expect(plan.create.map((s) => s.name)).toEqual(['other_web']);
    expect(plan.skipped).toHaveLength(2);
    expect(plan.skipped[0]!.reason).toBe('my-app/web, my_app/web all map to table my_app_web; rename one of them');
  });

  it('keeps an existing table for the container that owns its location and reports the newcomer', () => {
    const plan = planTables(
      [c('my-app', 'web'), c('my_app', 'web')],
      [managed('my_app_web', 's3://acme-logs/fluentd/my-app/web/')],
      settings,
    );
    expect(plan.create).toEqual([]);
    expect(plan.skipped).toEqual([expect.objectContaining({ family: 'my_app', reason: expect.stringContaining('left as it is') })]);
    expect(plan.partitionTargets.map((t) => t.table)).toEqual(['my_app_web']);
  });

  it('skips a container whose name Athena cannot take, with the reason', () => {
    const plan = planTables([c('app', 'web.v2')], [], settings);
    expect(plan.create).toEqual([]);
    expect(plan.skipped).toEqual([
      {
        family: 'app',
        container: 'web.v2',
        reason: 'cannot name a table: container: characters "." in "web.v2" are not allowed in an Athena name',
      },
    ]);
  });

  it.each([
    ['a new extra column', { columns: columns.slice(0, 2) }, /columns time:string,log:string → time:string,log:string,container_id:string/],
    ['projection switched off', { parameters: { [MANAGED_MARKER]: 'true', 'projection.enabled': 'true' } }, /partition projection off/],
  ])('updates a managed table for %s', (_what, extra, reason) => {
    const plan = planTables([], [managed('app_web', 's3://acme-logs/fluentd/app/web/', extra)], settings);
    expect(plan.update).toHaveLength(1);
    expect(plan.update[0]!.reasons.join('; ')).toMatch(reason);
  });

  it('puts projection tables in projection mode: no partitions, location template set', () => {
    const plan = planTables([c('app', 'web'), c('app', 'worker')], [], { ...settings, projectionTables: new Set(['app_web']) });
    expect(plan.projected).toEqual(['app_web']);
    expect(plan.partitionTargets.map((t) => t.table)).toEqual(['app_worker']);
    const input = tableDefinition(
      plan.create.find((s) => s.name === 'app_web')!,
      settings,
    );
    expect(input.parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.year.range': '2018,2100',
      'projection.month.digits': '2',
      'storage.location.template': 's3://acme-logs/fluentd/app/web/${year}/${month}/${day}/',
    });
  });

  it('switches an existing managed table to projection with an update', () => {
    const plan = planTables([], [managed('app_web', 's3://acme-logs/fluentd/app/web/')], { ...settings, projectionTables: 'all' });
    expect(plan.update[0]!.reasons[0]).toMatch(/^partition projection on/);
    const done = managed('app_web', 's3://acme-logs/fluentd/app/web/', {
      parameters: { [MANAGED_MARKER]: 'true', ...projectionParameters('s3://acme-logs/fluentd/app/web/', 2018) },
    });
    expect(planTables([], [done], { ...settings, projectionTables: 'all' }).update).toEqual([]);
  });

  it('restricts a plan to named tables and reports unknown names', () => {
    const plan = planTables([c('app', 'web'), c('app', 'worker')], [], settings);
    const { plan: only, unknown } = restrictPlan(plan, ['app_web', 'nope']);
    expect(only.create.map((s) => s.name)).toEqual(['app_web']);
    expect(only.partitionTargets.map((t) => t.table)).toEqual(['app_web']);
    expect(unknown).toEqual(['nope']);
  });
});

describe('log containers', () => {
  it('keeps only containers whose driver ships to S3', () => {
    const tds = [
      { family: 'app', containers: [{ name: 'web', logDriver: 'fluentd' }, { name: 'router', logDriver: 'awslogs' }, { name: 'sidecar' }] },
      { family: 'jobs', containers: [{ name: 'run', logDriver: 'awsfirelens' }] },
    ];
    expect(selectLogContainers(tds, ['fluentd', 'awsfirelens'])).toEqual([
      c('app', 'web'),
      { family: 'jobs', container: 'run', logDriver: 'awsfirelens' },
    ]);
    expect(selectLogContainers(tds, ['awslogs'])).toEqual([{ family: 'app', container: 'router', logDriver: 'awslogs' }]);
  });
});

describe('partition plan', () => {
  const target = { table: 'app_web', location: 's3://b/p/app/web/', storage: tableStorage(columns, 's3://b/p/app/web/') };

  it('makes one partition per table and date, with the day location and the table storage', () => {
    const [t] = planPartitions([target], ['2026-11-30', '2026-12-01']);
    expect(t!.partitions.map((p) => [p.values, p.storage?.location])).toEqual([
      [['2026', '11', '30'], 's3://b/p/app/web/2026/11/30/'],
      [['2026', '12', '1'], 's3://b/p/app/web/2026/12/01/'],
    ]);
    expect(t!.partitions[0]!.storage?.serde?.library).toBe('org.openx.data.jsonserde.JsonSerDe');
  });

  it.each([
    ['2026-11-23T22:00:00Z', 'UTC', ['2026-11-23', '2026-11-24']],
    ['2026-11-23T23:30:00Z', 'Europe/Berlin', ['2026-11-24', '2026-11-25']],
    ['2026-12-31T20:00:00Z', 'America/New_York', ['2026-12-31', '2027-01-01']],
  ])('a daily run at %s in %s covers %j', (iso, timeZone, dates) => {
    expect(datesFor({ kind: 'daily' }, Date.parse(iso), { timeZone, backfillMaxDays: 92 })).toEqual(dates);
  });

  it('covers a backfill range and refuses one that is too long', () => {
    expect(datesFor({ kind: 'backfill', from: '2026-11-01', to: '2026-11-20' }, 0, { timeZone: 'UTC', backfillMaxDays: 20 })).toHaveLength(
      20,
    );
    expect(() => datesFor({ kind: 'backfill', from: '2026-11-01', to: '2026-11-21' }, 0, { timeZone: 'UTC', backfillMaxDays: 20 })).toThrow(
      /2026-11-01..2026-11-21 is 21 days; at most 20 per invocation/,
    );
  });
});
