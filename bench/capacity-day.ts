import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { parseScaleTickConfig } from '../shared/capacity/config';
import type { ClusterTickReport } from '../shared/capacity/report';
import { SimulatedAccount } from '../sim/account';
import { buildCapacityCluster, type CapacityBackendKind } from '../sim/builders-capacity';
import { container, M5_LARGE, M5_XLARGE } from '../sim/builders-common';
import { capacityWorld } from '../test/support/capacity-world';
import { openWindowTasks, WindowWatch, type WindowRecord } from './capacity-day-windows';

/**
 * A day of traffic on the simulated account, with the real scaleTick handler every simulated
 * minute. Used by `npm run demo:day` (table and chart) and meant for a bench section too.
 * Deterministic: the same options give the same rows (wall time aside).
 */

/** A service of the day: its task size and its desired count over the day as [hour, tasks] keyframes (linear between). */
export interface DayService {
  name: string;
  cpu: number;
  memory: number;
  curve: ReadonlyArray<readonly [number, number]>;
}

/** `"hour tasks, hour tasks, …"` as keyframes. */
function keyframes(text: string): Array<readonly [number, number]> {
  return text.split(',').map((pair) => {
    const [hour, tasks] = pair.trim().split(' ').map(Number);
    return [hour!, tasks!] as const;
  });
}

/**
 * Quiet night, a morning ramp, a lunchtime spike on `app` (a step from 10 to 18 tasks at 12:00,
 * more than the free room: the service is starved until capacity arrives), an evening decline.
 * Two keyframes a minute apart make a step. `worker` runs nightly jobs (memory-heavy `api` is
 * what makes memory reservation matter).
 */
export const DAY_SERVICES: readonly DayService[] = [
  { name: 'app', cpu: 512, memory: 1024, curve: keyframes('0 2, 6.5 2, 9.5 10, 11.98 10, 12 18, 13 18, 13.02 10, 17 10, 21 3, 24 2') },
  { name: 'api', cpu: 256, memory: 3072, curve: keyframes('0 2, 7 2, 9 6, 11.98 6, 12 8, 13.02 6, 18 6, 20 2, 24 2') },
  { name: 'worker', cpu: 1024, memory: 1536, curve: keyframes('0 1, 1 1, 1.02 3, 4 3, 4.02 1, 24 1') },
];

export interface DayOptions {
  /** One cluster per backend, side by side on one account (default: one ASG cluster). */
  backends?: readonly CapacityBackendKind[];
  /** Simulated hours the day's curve is compressed into; ticks stay 1 simulated minute apart (default 24: 1,440 ticks). */
  hours?: number;
  /** How many of DAY_SERVICES run (2 or 3; default 3). */
  services?: number;
  /** The backend's maximum in units (default 12). */
  max?: number;
  /** scaleTick's environment (parsed by its own parser); default: its defaults. */
  env?: Record<string, string>;
  /** Called after every tick (progress). */
  onTick?: (row: DayRow, ticks: number) => void;
  /**
   * Deploy a new task definition revision of `service` (same containers) at `hour` of the day:
   * UpdateService, a rolling deployment at the service's defaults (minimumHealthyPercent 100,
   * maximumPercent 200), so the service runs up to twice its tasks while it deploys.
   */
  deploy?: { service: string; hour: number };
  /** Called once per cluster after it is built (e.g. to add another team's instances to it). */
  setup?: (account: SimulatedAccount, cluster: string) => void;
  /** Every tick's cluster reports, as the tick returned them. */
  onReports?: (reports: readonly ClusterTickReport[]) => void;
}

export type DayDecision = ClusterTickReport['decision'];

export interface DayClusterRow {
  cluster: string;
  backend: CapacityBackendKind;
  /** Reservation (%) as the tick read it, before its steps. */
  cpu: number;
  memory: number;
  /** The backend's units after the tick's steps. */
  desired: number;
  inService: number;
  /** Container instances registered in ECS (ACTIVE or DRAINING) after the tick. */
  registered: number;
  draining: number;
  running: number;
  desiredTasks: number;
  starved: string[];
  /** Services whose rollout is IN_PROGRESS in the account after the tick. */
  deploying: string[];
  /** Deployments the tick reported stuck (past deploymentHoldMinutes). */
  stuckDeployments: string[];
  decision: DayDecision;
  /** The first reason after the reservation line (what drove the decision or blocked scale-in; the not-a-candidate note skipped). */
  reason: string;
  /** Every reason, on ticks with a decision. */
  reasons?: string[];
  /** Scale-out: desired after − desired before. */
  unitsAsked?: number;
  /** Units the day's demand needs now (see `neededUnits`). */
  neededUnits: number;
}

export interface DayRow {
  minute: number;
  at: number;
  clusters: DayClusterRow[];
}

/**
 * One scale-out and what became of it. "Launched beyond need" — for each scale-out raising
 * desired from `from` to `to`: its window runs from the tick it was asked until the cluster's
 * next scale-in decision (or the end of the day); `peakNeed` is the highest `neededUnits` in
 * that window; the units that turned out needed are `clamp(peakNeed − from, 0, to − from)` and
 * `beyondNeed` is the rest. Successive scale-outs in one window are layers: the first is
 * credited first, so a ramp answered in several steps is not counted twice.
 */
export interface ScaleOutRecord {
  cluster: string;
  minute: number;
  from: number;
  to: number;
  asked: number;
  peakNeed: number;
  needed: number;
  beyondNeed: number;
  /** Minute the window ended (the next scale-in, or the day's length). */
  windowEnd: number;
}

export interface DaySummary {
  cluster: string;
  backend: CapacityBackendKind;
  max: number;
  scaleOuts: number;
  scaleIns: number;
  removeDrained: number;
  errors: number;
  maxDesired: number;
  unitsAsked: number;
  unitsNeeded: number;
  beyondNeed: number;
  /** Minutes with at least one starved service. */
  starvedMinutes: number;
  /** Σ over ticks of max(0, desired − neededUnits): capacity held above need (the scale-in hysteresis shows here). */
  unitMinutesAboveNeed: number;
  /** Σ over ticks of desired: the unit-minutes the day used (what unitMinutesAboveNeed is a share of). */
  unitMinutesUsed: number;
  /** Tasks killed by an instance going away under them (sim record): must be 0. */
  killedByTermination: number;
}

export interface DayResult {
  hours: number;
  /** scaleTick invocations (one per simulated minute). */
  ticks: number;
  start: number;
  services: readonly DayService[];
  /** CPU reservation thresholds (%) the chart draws. */
  thresholds: { scaleOut: number; scaleIn: number };
  rows: DayRow[];
  scaleOuts: ScaleOutRecord[];
  summary: DaySummary[];
  /** Each opening of a headroom window (scaleTick's HEADROOM_WINDOWS in `env`) and when its capacity was in service. */
  windows: WindowRecord[];
  wallMs: number;
}

/** The service's desired count at `hour` (0–24) of the day: linear between keyframes, rounded. */
export function desiredAt(s: DayService, hour: number): number {
  const c = s.curve;
  for (let i = 1; i < c.length; i++) {
    const [h0, v0] = c[i - 1]!;
    const [h1, v1] = c[i]!;
    if (hour <= h1) return Math.round(v0 + ((v1 - v0) * (hour - h0)) / Math.max(h1 - h0, 1e-9));
  }
  return c[c.length - 1]![1];
}

const SHAPES = [M5_LARGE, M5_XLARGE].map((s, i) => ({ ...s, weight: i + 1 }));

/**
 * The fewest units that hold the desired tasks with both reservations at or under the
 * scale-out thresholds (each unit counted at the least CPU and memory any shape gives per
 * unit, as the planner sizes), and at least the m5.large count first-fit decreasing needs.
 * `spare` (the tasks of headroom windows open now) is room held, as the planner counts it:
 * bin-packed, never reserved.
 */
export function neededUnits(
  tasks: ReadonlyArray<{ cpu: number; memory: number; count: number }>,
  cpuPct: number,
  memPct: number,
  spare: ReadonlyArray<{ cpu: number; memory: number; count: number }> = [],
): number {
  const cpuPerUnit = Math.min(...SHAPES.map((s) => s.cpu / s.weight));
  const memPerUnit = Math.min(...SHAPES.map((s) => s.memory / s.weight));
  const cpu = tasks.reduce((n, t) => n + t.cpu * t.count, 0);
  const mem = tasks.reduce((n, t) => n + t.memory * t.count, 0);
  const bins: Array<{ cpu: number; memory: number }> = [];
  const each = [...tasks, ...spare]
    .flatMap((t) => Array.from({ length: t.count }, () => t))
    .sort((a, b) => b.cpu / 2048 + b.memory / 7680 - a.cpu / 2048 - a.memory / 7680);
  for (const t of each) {
    const bin = bins.find((b) => b.cpu >= t.cpu && b.memory >= t.memory);
    if (bin) {
      bin.cpu -= t.cpu;
      bin.memory -= t.memory;
    } else bins.push({ cpu: M5_LARGE.cpu - t.cpu, memory: M5_LARGE.memory - t.memory });
  }
  return Math.max(
    Math.ceil(cpu / ((cpuPct / 100) * cpuPerUnit) - 1e-9),
    Math.ceil(mem / ((memPct / 100) * memPerUnit) - 1e-9),
    bins.length,
  );
}

/** The first reason after the reservation line, skipping the notes on instances that were not scale-in candidates or were kept. */
const afterReservation = (reasons: readonly string[]) =>
  reasons.find((r) => !r.startsWith('reservation ') && !r.startsWith('not candidates:') && !/^i-\w+ kept: /.test(r)) ?? reasons[0] ?? '';

/** Unit-minutes above need as a share of the unit-minutes used (%, one decimal). */
export const aboveNeedPercent = (s: Pick<DaySummary, 'unitMinutesAboveNeed' | 'unitMinutesUsed'>) =>
  s.unitMinutesUsed > 0 ? Math.round((1000 * s.unitMinutesAboveNeed) / s.unitMinutesUsed) / 10 : 0;

/**
 * Run the day: one account starting at 00:00 UTC, a cluster per backend (2 m5.large, `app`
 * at 1 task each), the services' desired counts set at the start of every simulated minute,
 * then one scaleTick invocation, then the clock moves to the next minute. Rows are read after
 * each tick from the report and from the account.
 */
export async function simulateDay(opts: DayOptions = {}): Promise<DayResult> {
  const started = performance.now();
  const hours = opts.hours ?? 24;
  const backends = opts.backends ?? ['asg'];
  const services = DAY_SERVICES.slice(0, Math.max(1, Math.min(opts.services ?? 3, DAY_SERVICES.length)));
  const max = opts.max ?? 12;
  const start = Date.parse('2026-11-23T00:00:00Z');
  const account = new SimulatedAccount({ start });
  const clusters = backends.map((backend) => {
    const built = buildCapacityCluster(account, { backend, instances: 2, tasksPerInstance: 1, max });
    opts.setup?.(account, built.cluster);
    for (const s of services.slice(1)) {
      const def = account.ecs.registerTaskDefinition({
        family: `${built.cluster}-${s.name}`,
        networkMode: 'bridge',
        containerDefinitions: [container(`${built.cluster}-${s.name}`, s.name, s.cpu, s.memory)],
      });
      account.ecs.createService({ cluster: built.cluster, name: s.name, taskDefinition: def.taskDefinitionArn!, desiredCount: 0 });
    }
    return { backend, cluster: built.cluster, desired: 2 };
  });
  const env = opts.env ?? {};
  const config = parseScaleTickConfig(env);
  const t = config.defaults;
  const world = capacityWorld(account, env);
  const minutes = Math.round(hours * 60);
  const rows: DayRow[] = [];
  const windows = t.headroomWindows ?? [];
  const sizes = new Map(services.map((s) => [s.name, { cpu: s.cpu, memory: s.memory }]));
  const watches = new Map(clusters.map((c) => [c.cluster, new WindowWatch(c.cluster, windows, sizes)]));
  let deployed = false;
  for (let m = 0; m < minutes; m++) {
    const at = start + m * 60_000;
    account.clock.set(at);
    const hour = (m / minutes) * 24;
    const counts = services.map((s) => ({ ...s, count: desiredAt(s, hour) }));
    for (const c of clusters)
      for (const s of counts)
        if (account.ecs.services.get(c.cluster, s.name)!.desiredCount !== s.count)
          account.ecs.services.setDesiredCount(c.cluster, s.name, s.count);
    if (opts.deploy && !deployed && hour >= opts.deploy.hour) {
      deployed = true;
      for (const c of clusters) await deployRevision(account, c.cluster, opts.deploy.service);
    }
    const result = await world.tick();
    opts.onReports?.(result.clusters);
    const need = neededUnits(counts, t.scaleOutCpuPercent, t.scaleOutMemoryPercent, openWindowTasks(windows, sizes, at));
    const row: DayRow = { minute: m, at, clusters: [] };
    for (const c of clusters) {
      const r = result.clusters.find((x) => x.cluster === c.cluster);
      const instances = account.ecs.containerInstancesOf(c.cluster).filter((i) => i.status === 'ACTIVE' || i.status === 'DRAINING');
      const tasks = account.ecs.tasks.all().filter((x) => x.cluster === c.cluster && x.desiredStatus === 'RUNNING');
      const desired = r?.counts?.desired ?? c.desired;
      const decision: DayDecision = r?.decision ?? 'error';
      row.clusters.push({
        cluster: c.cluster,
        backend: c.backend,
        cpu: r?.reservation?.cpu ?? 0,
        memory: r?.reservation?.memory ?? 0,
        desired,
        inService: r?.counts?.inService ?? 0,
        registered: instances.length,
        draining: instances.filter((i) => i.status === 'DRAINING').length,
        running: tasks.filter((x) => x.lastStatus === 'RUNNING').length,
        desiredTasks: counts.reduce((n, s) => n + s.count, 0),
        starved: r?.starved ?? [],
        deploying: account.ecs.services
          .all()
          .filter((s) => s.cluster === c.cluster && s.rollout?.state === 'IN_PROGRESS')
          .map((s) => s.name),
        stuckDeployments: r?.stuckDeployments ?? [],
        decision,
        reason: r?.error ?? afterReservation(r?.reasons ?? []),
        ...(decision !== 'none' ? { reasons: r?.reasons ?? [] } : {}),
        ...(decision === 'scale-out' ? { unitsAsked: desired - c.desired } : {}),
        neededUnits: Math.min(need, max),
      });
      c.desired = desired;
      watches.get(c.cluster)!.observe(account, at, decision, r?.reasons ?? []);
    }
    rows.push(row);
    opts.onTick?.(row, minutes);
  }
  const scaleOuts = scaleOutRecords(rows);
  const killed = account.ecs.killedByTermination();
  const summary = clusters.map(({ cluster, backend }): DaySummary => {
    const mine = rows.map((r) => r.clusters.find((c) => c.cluster === cluster)!);
    const outs = scaleOuts.filter((s) => s.cluster === cluster);
    const count = (d: DayDecision) => mine.filter((c) => c.decision === d).length;
    return {
      cluster,
      backend,
      max,
      scaleOuts: count('scale-out'),
      scaleIns: count('scale-in'),
      removeDrained: count('remove-drained'),
      errors: count('error'),
      maxDesired: Math.max(...mine.map((c) => c.desired)),
      unitsAsked: outs.reduce((n, s) => n + s.asked, 0),
      unitsNeeded: outs.reduce((n, s) => n + s.needed, 0),
      beyondNeed: outs.reduce((n, s) => n + s.beyondNeed, 0),
      starvedMinutes: mine.filter((c) => c.starved.length > 0).length,
      unitMinutesAboveNeed: mine.reduce((n, c) => n + Math.max(0, c.desired - c.neededUnits), 0),
      unitMinutesUsed: mine.reduce((n, c) => n + c.desired, 0),
      killedByTermination: killed.filter((k) => k.cluster === cluster).length,
    };
  });
  return {
    hours,
    ticks: minutes,
    start,
    services,
    thresholds: { scaleOut: t.scaleOutCpuPercent, scaleIn: t.scaleInCpuPercent },
    rows,
    scaleOuts,
    summary,
    windows: [...watches.values()].flatMap((w) => w.records),
    wallMs: performance.now() - started,
  };
}

/** A new revision of the service's task definition (same containers), deployed with UpdateService as an operator would. */
async function deployRevision(account: SimulatedAccount, cluster: string, service: string): Promise<void> {
  const current = account.ecs.taskDefinitions.resolve(account.ecs.services.get(cluster, service)!.taskDefinitionArn);
  const next = account.ecs.registerTaskDefinition({
    family: current.family,
    networkMode: current.networkMode,
    containerDefinitions: current.containerDefinitions,
  });
  await account.clients().ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: next.taskDefinitionArn }));
}

/** Each scale-out with its window and the units that turned out needed (definition on ScaleOutRecord). */
function scaleOutRecords(rows: readonly DayRow[]): ScaleOutRecord[] {
  const out: ScaleOutRecord[] = [];
  const names = rows[0]?.clusters.map((c) => c.cluster) ?? [];
  for (const cluster of names) {
    const mine = rows.map((r) => r.clusters.find((c) => c.cluster === cluster)!);
    mine.forEach((c, m) => {
      if (c.decision !== 'scale-out' || !c.unitsAsked) return;
      let end = m + 1;
      while (end < mine.length && mine[end]!.decision !== 'scale-in') end++;
      const peakNeed = Math.max(...mine.slice(m, end).map((x) => x.neededUnits));
      const from = c.desired - c.unitsAsked;
      const needed = Math.max(0, Math.min(peakNeed - from, c.unitsAsked));
      out.push({
        cluster,
        minute: m,
        from,
        to: c.desired,
        asked: c.unitsAsked,
        peakNeed,
        needed,
        beyondNeed: c.unitsAsked - needed,
        windowEnd: end,
      });
    });
  }
  return out;
}
