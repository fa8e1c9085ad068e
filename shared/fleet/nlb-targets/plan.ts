import type { TargetGroupBinding } from './config';

/** One instance of the cluster as ECS and EC2 see it now. */
export interface InstanceView {
  ec2InstanceId: string;
  /** ECS container instance status (ACTIVE, DRAINING, REGISTERING, …), or INACTIVE when ECS no longer lists it. */
  ecsStatus: string;
  /** EC2 state (running, shutting-down, terminated, …); unset when EC2 no longer knows it. */
  ec2State?: string;
  privateIp?: string;
  /** When a Spot interruption notice was seen for it (our INTERRUPTED_AT_TAG on the instance). */
  interruptedAt?: number;
}

/**
 * How long the notice keeps an instance out: EC2 reclaims it two minutes after the notice. An
 * instance still running after that was not reclaimed (a `stop`/`hibernate` action, resumed):
 * it may serve again.
 */
export const SPOT_NOTICE_MS = 120_000;

export interface TargetView {
  ip: string;
  port: number;
  state: string;
  availabilityZone?: string;
}

/**
 * What one sync sees of one binding. `scope: 'cluster'` is the whole cluster (reconcile);
 * `'instances'` only the instances named (an event): targets of other IPs are out of scope.
 */
export interface NlbSnapshot {
  binding: TargetGroupBinding;
  scope: 'cluster' | 'instances';
  instances: InstanceView[];
  targets: TargetView[];
  /** Instances whose Spot interruption notice this sync handles: they leave now, whatever ECS says, and are tagged. */
  interrupted: ReadonlySet<string>;
  /** Of the group's IPs that are no instance of the cluster, those a network interface holds (cluster scope only). */
  heldByOthers: ReadonlySet<string>;
  /**
   * Container instances ECS listed but could not describe: unknown to the plan (their IPs, if in
   * the group, are held by their interfaces, so left alone), reported as failures.
   */
  readFailures?: string[];
}

export interface NlbSettings {
  prune: boolean;
}

export type NlbStep =
  | { kind: 'deregister' | 'register'; targetGroupArn: string; targets: Array<{ ip: string; port: number }> }
  /** Remember the notice on the instance (INTERRUPTED_AT_TAG), before the deregistration. */
  | { kind: 'markInterrupted'; ec2InstanceId: string; at: number };

export interface TargetDecision {
  ip: string;
  port: number;
  action: 'register' | 'deregister' | 'keep' | 'leave-alone';
  reason: string;
  /** The IP belongs in the group (an ACTIVE, running instance of the cluster): the report checks it is there at the end. */
  wanted?: true;
}

export interface NlbPlan {
  /** The notice's mark, then deregistrations, then registrations: room under the targets-per-group quota before new targets. */
  steps: NlbStep[];
  decisions: TargetDecision[];
}

/** Targets ELBv2 is already taking out: nothing to do for one we would deregister. */
const LEAVING = new Set(['draining', 'unhealthy.draining']);

/**
 * Pure: the target group should hold exactly the private IPs of the cluster's ACTIVE, running
 * instances without a Spot notice (this sync's, or a mark younger than SPOT_NOTICE_MS) on the
 * binding's port. Targets on other ports are never touched. A target on the port whose IP is no
 * instance of the cluster is someone else's and left alone, unless `prune`, or unless no network
 * interface holds the IP any more (a terminated instance of ours: its interface went with it, so
 * this is how its target is recognised) and it is inside the VPC (an IP outside it shows
 * availabilityZone "all": on-premises or peered, never ours).
 */
export function planNlbTargets(s: NlbSnapshot, settings: NlbSettings, now: number): NlbPlan {
  const { port, targetGroupArn } = s.binding;
  const byIp = new Map(s.instances.filter((i) => i.privateIp).map((i) => [i.privateIp!, i]));
  const noticed = (i: InstanceView) =>
    s.interrupted.has(i.ec2InstanceId) || (i.interruptedAt !== undefined && now - i.interruptedAt < SPOT_NOTICE_MS);
  const wanted = (i: InstanceView) => i.ecsStatus === 'ACTIVE' && i.ec2State === 'running' && !noticed(i);
  const current = new Map(s.targets.filter((t) => t.port === port).map((t) => [t.ip, t]));
  const decisions: TargetDecision[] = [];

  for (const t of current.values()) {
    const owner = byIp.get(t.ip);
    const d = (action: TargetDecision['action'], reason: string) => decisions.push({ ip: t.ip, port, action, reason });
    if (owner && wanted(owner)) {
      if (!LEAVING.has(t.state))
        decisions.push({ ip: t.ip, port, action: 'keep', reason: `instance ${owner.ec2InstanceId} is ACTIVE`, wanted: true });
    } else if (LEAVING.has(t.state)) {
      d('keep', 'already draining');
    } else if (owner) {
      d('deregister', noticed(owner) ? `instance ${owner.ec2InstanceId} has a Spot interruption notice` : whyNot(owner));
    } else if (s.scope === 'instances') {
      continue; // another instance's target: the reconcile decides it
    } else if (settings.prune) {
      d('deregister', 'no instance of the cluster has this IP (prune)');
    } else if (t.availabilityZone === 'all') {
      d('leave-alone', 'outside the VPC: not an instance of the cluster');
    } else if (s.heldByOthers.has(t.ip)) {
      d('leave-alone', 'held by a network interface outside the cluster (another instance, a task, a secondary IP)');
    } else {
      d('deregister', 'no network interface holds this IP any more (a terminated instance)');
    }
  }
  for (const i of s.instances) {
    if (!wanted(i) || !i.privateIp) continue;
    const t = current.get(i.privateIp);
    if (!t || LEAVING.has(t.state))
      decisions.push({ ip: i.privateIp, port, action: 'register', reason: `instance ${i.ec2InstanceId} is ACTIVE`, wanted: true });
  }

  const steps: NlbStep[] = s.instances
    .filter((i) => s.interrupted.has(i.ec2InstanceId) && i.interruptedAt === undefined)
    .map((i) => ({ kind: 'markInterrupted', ec2InstanceId: i.ec2InstanceId, at: now }));
  for (const kind of ['deregister', 'register'] as const) {
    const targets = decisions.filter((d) => d.action === kind).map((d) => ({ ip: d.ip, port: d.port }));
    if (targets.length > 0) steps.push({ kind, targetGroupArn, targets });
  }
  return { steps, decisions };
}

function whyNot(i: InstanceView): string {
  if (i.ecsStatus !== 'ACTIVE') return `instance ${i.ec2InstanceId} is ${i.ecsStatus}`;
  return `instance ${i.ec2InstanceId} is ${i.ec2State ?? 'gone'} in EC2`;
}
