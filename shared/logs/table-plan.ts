import type { ExistingTable, TableStorage } from './catalog';
import type { CatalogSettings } from './config';
import { tableNameFor } from './naming';
import {
  columnsFor,
  CONTAINER_PARAM,
  FAMILY_PARAM,
  isManaged,
  isProjected,
  locationFor,
  PARTITION_KEYS,
  projectionParameters,
  tableStorage,
  wantsProjection,
  type TableSpec,
} from './table-input';

/** A container whose logs we ship to S3, found in the latest revision of an active family. */
export interface LogContainer {
  family: string;
  container: string;
  logDriver: string;
}

export type { ExistingTable };

/** A table that gets daily partitions, and what each partition's storage looks like. */
export interface PartitionTarget {
  table: string;
  location: string;
  storage: TableStorage;
}

export interface Skipped {
  table?: string;
  family?: string;
  container?: string;
  reason: string;
}

export interface TablePlan {
  create: TableSpec[];
  update: Array<{ spec: TableSpec; reasons: string[] }>;
  /** Tables that get Glue partitions (new and existing). */
  partitionTargets: PartitionTarget[];
  /** Tables in projection mode: Athena needs no partitions for them. */
  projected: string[];
  /** Tables in the database we neither created nor were told to manage: left alone. */
  foreign: string[];
  skipped: Skipped[];
}

/** The containers of these task definitions whose log driver ships to our S3 layout. Pure. */
export function selectLogContainers(
  taskDefinitions: ReadonlyArray<{ family: string; containers: ReadonlyArray<{ name: string; logDriver?: string }> }>,
  logDrivers: readonly string[],
): LogContainer[] {
  return taskDefinitions.flatMap((td) =>
    td.containers
      .filter((c) => c.logDriver !== undefined && logDrivers.includes(c.logDriver))
      .map((c) => ({ family: td.family, container: c.name, logDriver: c.logDriver! })),
  );
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

/**
 * Which tables to create, update and partition, from what ECS runs and what Glue holds.
 * Pure. Tables that exist are kept even when their family is gone (old logs stay queryable
 * and late lines still arrive); tables we did not create are never changed, and get
 * partitions only when `manageForeignTables` is set.
 */
export function planTables(containers: readonly LogContainer[], existing: readonly ExistingTable[], settings: CatalogSettings): TablePlan {
  const plan: TablePlan = { create: [], update: [], partitionTargets: [], projected: [], foreign: [], skipped: [] };
  const existingByName = new Map(existing.map((t) => [t.name, t]));

  const claimants = new Map<string, LogContainer[]>();
  for (const c of containers) {
    const name = tableNameFor(c.family, c.container);
    if (!name.ok) {
      plan.skipped.push({ family: c.family, container: c.container, reason: `cannot name a table: ${name.reason}` });
      continue;
    }
    claimants.set(name.name, [...(claimants.get(name.name) ?? []), c]);
  }

  for (const [name, cs] of [...claimants].sort(([a], [b]) => a.localeCompare(b))) {
    const table = existingByName.get(name);
    if (table) {
      for (const c of cs) {
        const wanted = locationFor(settings, c.family, c.container);
        if (!isManaged(table.parameters)) {
          if (!settings.manageForeignTables) {
            plan.skipped.push({
              ...c,
              table: name,
              reason: 'a table of this name exists and was not created by ecs-steady (LOGS_MANAGE_FOREIGN_TABLES=false)',
            });
          }
        } else if (table.location !== wanted) {
          plan.skipped.push({
            ...c,
            table: name,
            reason: `table exists with location ${table.location ?? '(none)'}, not ${wanted}; left as it is`,
          });
        }
      }
      continue;
    }
    if (cs.length > 1) {
      const who = cs
        .map((c) => `${c.family}/${c.container}`)
        .sort()
        .join(', ');
      for (const c of cs) plan.skipped.push({ ...c, table: name, reason: `${who} all map to table ${name}; rename one of them` });
      continue;
    }
    const c = cs[0]!;
    const spec = specFor(settings, name, locationFor(settings, c.family, c.container), c.family, c.container);
    plan.create.push(spec);
    addTarget(plan, spec);
  }

  for (const table of [...existing].sort(byName)) {
    if (isManaged(table.parameters)) planManaged(plan, table, settings);
    else planForeign(plan, table, settings);
  }
  plan.create.sort(byName);
  plan.partitionTargets.sort((a, b) => a.table.localeCompare(b.table));
  plan.projected.sort();
  return plan;
}

function specFor(settings: CatalogSettings, name: string, location: string, family?: string, container?: string): TableSpec {
  return {
    name,
    location,
    columns: columnsFor(settings),
    projection: wantsProjection(settings, name),
    ...(family ? { family } : {}),
    ...(container ? { container } : {}),
  };
}

function addTarget(plan: TablePlan, spec: TableSpec): void {
  if (spec.projection) plan.projected.push(spec.name);
  else plan.partitionTargets.push({ table: spec.name, location: spec.location, storage: tableStorage(spec.columns, spec.location) });
}

function planManaged(plan: TablePlan, table: ExistingTable, settings: CatalogSettings): void {
  if (!table.location) {
    plan.skipped.push({ table: table.name, reason: 'managed table has no storage location; left as it is' });
    return;
  }
  const spec = specFor(settings, table.name, table.location, table.parameters[FAMILY_PARAM], table.parameters[CONTAINER_PARAM]);
  const reasons = differences(table, spec, settings);
  if (reasons.length > 0) plan.update.push({ spec, reasons });
  addTarget(plan, spec);
}

function planForeign(plan: TablePlan, table: ExistingTable, settings: CatalogSettings): void {
  if (!settings.manageForeignTables) {
    plan.foreign.push(table.name);
    return;
  }
  if (isProjected(table.parameters)) {
    plan.projected.push(table.name);
    return;
  }
  const keys = table.partitionKeys.join(',');
  if (keys !== PARTITION_KEYS.join(',') || !table.location || !table.storage) {
    plan.skipped.push({
      table: table.name,
      reason: `not created by ecs-steady and not partitioned by year/month/day with a location (keys: ${keys || 'none'})`,
    });
    return;
  }
  plan.partitionTargets.push({ table: table.name, location: withSlash(table.location), storage: table.storage });
}

/** Why a managed table needs UpdateTable: its columns or its projection differ from config. */
export function differences(table: ExistingTable, spec: TableSpec, settings: Pick<CatalogSettings, 'projectionStartYear'>): string[] {
  const reasons: string[] = [];
  const have = table.columns.map((c) => `${c.name}:${c.type}`).join(',');
  const want = spec.columns.map((c) => `${c.name}:${c.type}`).join(',');
  if (have !== want) reasons.push(`columns ${have} → ${want}`);
  if (spec.projection) {
    const wanted = projectionParameters(spec.location, settings.projectionStartYear);
    const changed = Object.keys(wanted).filter((k) => table.parameters[k] !== wanted[k]);
    if (changed.length > 0) reasons.push(`partition projection on (${changed.join(', ')})`);
  } else if (isProjected(table.parameters)) {
    reasons.push('partition projection off');
  }
  return reasons;
}

function withSlash(location: string): string {
  return location.endsWith('/') ? location : `${location}/`;
}

/** Keep only the named tables (a backfill for some tables); names the plan does not know are returned. */
export function restrictPlan(plan: TablePlan, tables: readonly string[]): { plan: TablePlan; unknown: string[] } {
  const keep = new Set(tables);
  const known = new Set([...plan.partitionTargets.map((t) => t.table), ...plan.projected]);
  return {
    plan: {
      create: plan.create.filter((s) => keep.has(s.name)),
      update: plan.update.filter((u) => keep.has(u.spec.name)),
      partitionTargets: plan.partitionTargets.filter((t) => keep.has(t.table)),
      projected: plan.projected.filter((t) => keep.has(t)),
      foreign: plan.foreign,
      skipped: plan.skipped.filter((s) => s.table === undefined || keep.has(s.table)),
    },
    unknown: tables.filter((t) => !known.has(t)),
  };
}
