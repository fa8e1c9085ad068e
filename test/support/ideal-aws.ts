import type { Task } from '@aws-sdk/client-ecs';
import { targetKey, type Target, type TargetHealth } from '../../shared/aws/elbv2-targets';
import type { DrainPorts } from '../../shared/drain/ports';
import type { DrainState, DrainStep } from '../../shared/drain/types';
import { EC2_ID } from './drain-state';
import { TG_A } from './plan-fixtures';
import { DELAY_S, DEREGISTERED_AT, GROUP, tasksOf, type World } from './plan-world';

/**
 * An ideal AWS behind a random instance: calls succeed, a deregistered target drains for the
 * group's delay and leaves, a stopped task is gone at once (ECS deregisters its targets).
 */
export class IdealAws {
  private status: string;
  private readonly desired = new Map<string, string>();
  private readonly tasks = new Map<string, Task>();
  /** Target group → target key → when it was deregistered (undefined: registered). */
  private readonly targets = new Map<string, Map<string, { target: Target; deregAt?: number }>>();
  private readonly ownerOf = new Map<string, Array<{ tg: string; key: string }>>();
  /** The world's clock: reads and steps see it as the test sets it. */
  private now: number;
  readonly ports: DrainPorts;

  constructor(w: World, state: DrainState) {
    this.status = w.status;
    this.now = w.now;
    for (const tg of Object.values(GROUP)) this.targets.set(tg, new Map());
    for (const t of tasksOf(w)) {
      const stopped = state.stopped.has(t.arn) || t.task.desiredStatus !== 'RUNNING';
      this.desired.set(t.arn, stopped ? 'STOPPED' : 'RUNNING');
      this.tasks.set(t.arn, t.task);
      if (stopped) continue;
      for (const x of t.targets) {
        const key = targetKey(x.target);
        this.targets.get(x.tg)!.set(key, {
          target: x.target,
          ...(x.spec.deregistered && !(t.spec.kind === 'web' && t.spec.unbound) ? { deregAt: DEREGISTERED_AT } : {}),
        });
        this.ownerOf.set(t.arn, [...(this.ownerOf.get(t.arn) ?? []), { tg: x.tg, key }]);
      }
    }
    if (w.staleTarget) this.targets.get(TG_A)!.set(`${EC2_ID}:40000`, { target: { id: EC2_ID, port: 40000 } });
    for (const [name, tg] of Object.entries(GROUP) as Array<[keyof typeof GROUP, string]>)
      for (let k = 0; k < w.groups[name].othersHealthy; k++) {
        const target = { id: tg === TG_A ? 'i-0fedcba9876543210' : `10.0.9.${k}`, port: tg === TG_A ? 33000 + k : 8080 };
        this.targets.get(tg)!.set(targetKey(target), { target });
      }
    const unused = () => Promise.reject(new Error('steps are applied by the test, not through the ports'));
    const running = () => [...this.desired].filter(([, d]) => d === 'RUNNING').map(([arn]) => arn);
    this.ports = {
      containerInstances: {
        listClusters: async () => ['web'],
        listArns: async () => [state.instance!.containerInstanceArn],
        describe: async () => ({
          instances: [{ ...state.instance!, status: this.status, runningTasksCount: running().length, pendingTasksCount: 0 }],
          failures: [],
        }),
        setDraining: unused,
      },
      tasks: {
        listRunningOn: async () => running(),
        describe: async (_c, arns) => ({
          tasks: arns.map((a) => ({ ...this.tasks.get(a)!, desiredStatus: this.desired.get(a)! })),
          failures: [],
        }),
        stop: unused,
      },
      services: { describe: async () => ({ services: [], failures: [] }) },
      targets: {
        deregister: unused,
        groupHealth: async (tg) => this.health(tg),
        deregistrationDelaySeconds: async () => DELAY_S,
      },
      publish: unused,
    };
  }

  private health(tg: string): TargetHealth[] {
    const out: TargetHealth[] = [];
    for (const [key, t] of this.targets.get(tg)!) {
      if (t.deregAt === undefined) out.push({ ...t.target, state: 'healthy' });
      else if (this.now < t.deregAt + DELAY_S * 1000) out.push({ ...t.target, state: 'draining' });
      else this.targets.get(tg)!.delete(key);
    }
    return out;
  }

  apply(steps: readonly DrainStep[], now: number) {
    this.now = now;
    for (const st of steps) {
      if (st.kind === 'setDraining') this.status = 'DRAINING';
      if (st.kind === 'deregisterTargets')
        for (const t of st.targets) {
          const rec = this.targets.get(st.targetGroupArn)!.get(targetKey(t));
          if (rec && rec.deregAt === undefined) rec.deregAt = now;
        }
      if (st.kind === 'stopTask') {
        this.desired.set(st.taskArn, 'STOPPED');
        for (const { tg, key } of this.ownerOf.get(st.taskArn) ?? []) {
          const rec = this.targets.get(tg)!.get(key);
          if (rec && rec.deregAt === undefined) rec.deregAt = now;
        }
      }
    }
  }

  /** Reads see the world at the moment they are made. */
  at(now: number): void {
    this.now = now;
  }
}
