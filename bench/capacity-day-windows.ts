import { packOnto } from '../shared/capacity/bin-pack';
import { holdingWindows, type HeadroomWindow } from '../shared/capacity/headroom-windows';
import type { SimulatedAccount } from '../sim/account';

/**
 * Headroom windows over the simulated day (bench/capacity-day.ts): when each opening's capacity
 * was in service against the time it opened. "In service" is measured on the simulated account,
 * not taken from the planner: the window's tasks fit the free room of the cluster's ACTIVE,
 * agent-connected container instances (first-fit, as ECS would place them), after the tick.
 */
export interface WindowRecord {
  cluster: string;
  window: string;
  service: string;
  count: number;
  opensAt: number;
  closesAt: number;
  /** The first tick whose scale-out reasons name the window (its room asked for). */
  askedAt?: number;
  /** From this tick until the opening, the window's tasks fit the free room without interruption. */
  readyAt?: number;
  /** The window's tasks fit the free room at the first tick at or after the opening. */
  fitsAtOpen: boolean;
  /** The first scale-in at or after it closed. */
  scaleInAfter?: number;
}

/** How far ahead an opening is looked for (more than any lead: HEADROOM_WINDOW_LEAD_SECONDS ≤ 3600 s). */
const LOOKAHEAD_MS = 2 * 3_600_000;

type Sizes = ReadonlyMap<string, { cpu: number; memory: number }>;

/** The window tasks open at `at` (no lead): the day's need counts them, as spare room (bin-packed, not reserved). */
export function openWindowTasks(windows: readonly HeadroomWindow[], sizes: Sizes, at: number) {
  return holdingWindows(windows, at, 0).flatMap(({ window: w }) => {
    const size = sizes.get(w.service);
    return size ? [{ ...size, count: w.count }] : [];
  });
}

/** Follows every opening of every window in one cluster through the day. */
export class WindowWatch {
  private readonly open = new Map<string, WindowRecord>();
  readonly records: WindowRecord[] = [];

  constructor(
    private readonly cluster: string,
    private readonly windows: readonly HeadroomWindow[],
    private readonly sizes: Sizes,
  ) {}

  /** One tick, read after its steps: `reasons` are the tick's (on a scale-out), `decision` what it decided. */
  observe(account: SimulatedAccount, at: number, decision: string, reasons: readonly string[]): void {
    for (const { window: w, opensAt, closesAt } of holdingWindows(this.windows, at, LOOKAHEAD_MS)) {
      const key = `${w.name}@${opensAt}`;
      let r = this.open.get(key);
      if (!r) {
        r = { cluster: this.cluster, window: w.name, service: w.service, count: w.count, opensAt, closesAt, fitsAtOpen: false };
        this.open.set(key, r);
        this.records.push(r);
      }
      if (r.askedAt === undefined && decision === 'scale-out' && reasons.some((x) => x.includes(`headroom window '${w.name}'`)))
        r.askedAt = at;
      if (at > opensAt) continue;
      const fits = this.fits(account, w);
      if (!fits) r.readyAt = undefined;
      else r.readyAt ??= at;
      if (at === opensAt) r.fitsAtOpen = fits;
    }
    for (const r of this.records) if (r.scaleInAfter === undefined && at >= r.closesAt && decision === 'scale-in') r.scaleInAfter = at;
  }

  private fits(account: SimulatedAccount, w: HeadroomWindow): boolean {
    const size = this.sizes.get(w.service);
    if (!size) return false;
    const rooms = account.ecs
      .containerInstancesOf(this.cluster)
      .filter((ci) => ci.status === 'ACTIVE' && ci.agentConnected)
      .map((ci) => ({ id: ci.ec2InstanceId, ...account.ecs.remaining(ci) }));
    const items = Array.from({ length: w.count }, () => ({ source: w.name, ...size }));
    return packOnto(items, rooms).length === 0;
  }
}
