import type { TargetGroupBinding } from './config';

/** One instance of the cluster as ECS and EC2 see it now. */
export interface InstanceView {
  ec2InstanceId: string;
  /** ECS container instance status (ACTIVE, DRAINING, REGISTERING, …), or INACTIVE when ECS no longer lists it. */
  ecsStatus: string;
  /** EC2 state (running, shutting-down, terminated, …); unset when EC2 no longer knows it. */
  ec2State?: string;
  privateIp?: string;
}

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
  /** Instances with a Spot interruption notice: they leave now, whatever ECS says. */
  interrupted: ReadonlySet<string>;
  /** Of the group's IPs that are no instance of the cluster, those a live EC2 instance holds (cluster scope only). */
  heldByOthers: ReadonlySet<string>;
}

export interface NlbSettings {
  prune: boolean;
}

export type NlbStep = { kind: 'deregister' | 'register'; targetGroupArn: string; targets: Array<{ ip: string; port: number }> };

export interface TargetDecision {
  ip: string;
  port: number;
  action: 'register' | 'deregister' | 'keep' | 'leave-alone';
  reason: string;
  /** The IP belongs in the group (an ACTIVE, running instance of the cluster): the report checks it is there at the end. */
  wanted?: true;
}

export interface NlbPlan {
  /** Deregistrations first, then registrations: room under the targets-per-group quota before new targets. */
  steps: NlbStep[];
  decisions: TargetDecision[];
}

/** Targets ELBv2 is already taking out: nothing to do for one we would deregister. */
const LEAVING = new Set(['draining', 'unhealthy.draining']);

/**
 * Pure: the target group should hold exactly the private IPs of the cluster's ACTIVE, running
 * instances on the binding's port. Targets on other ports are never touched. A target on the
 * port whose IP is no instance of the cluster is the operator's and left alone, unless `prune`,
 * or unless no live EC2 instance holds the IP any more (a terminated instance of ours: EC2
 * forgets a terminated instance's IP, so this is how its target is recognised) and it is inside
 * the VPC (an IP outside it shows availabilityZone "all": on-premises or peered, never ours).
 */
export function planNlbTargets(s: NlbSnapshot, settings: NlbSettings): NlbPlan {
  const { port, targetGroupArn } = s.binding;
  const byIp = new Map(s.instances.filter((i) => i.privateIp).map((i) => [i.privateIp!, i]));
  const wanted = (i: InstanceView) => i.ecsStatus === 'ACTIVE' && i.ec2State === 'running' && !s.interrupted.has(i.ec2InstanceId);
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
      d(
        'deregister',
        s.interrupted.has(owner.ec2InstanceId) ? `instance ${owner.ec2InstanceId} has a Spot interruption notice` : whyNot(owner),
      );
    } else if (s.scope === 'instances') {
      continue; // another instance's target: the reconcile decides it
    } else if (settings.prune) {
      d('deregister', 'no instance of the cluster has this IP (prune)');
    } else if (t.availabilityZone === 'all') {
      d('leave-alone', 'outside the VPC: not an instance of the cluster');
    } else if (s.heldByOthers.has(t.ip)) {
      d('leave-alone', 'held by an EC2 instance outside the cluster');
    } else {
      d('deregister', 'no EC2 instance holds this IP any more (terminated)');
    }
  }
  for (const i of s.instances) {
    if (!wanted(i) || !i.privateIp) continue;
    const t = current.get(i.privateIp);
    if (!t || LEAVING.has(t.state))
      decisions.push({ ip: i.privateIp, port, action: 'register', reason: `instance ${i.ec2InstanceId} is ACTIVE`, wanted: true });
  }

  const steps: NlbStep[] = [];
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
