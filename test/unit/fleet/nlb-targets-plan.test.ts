import fc from 'fast-check';
import { planNlbTargets, type InstanceView, type NlbSnapshot, type TargetView } from '../../../shared/fleet/nlb-targets/plan';

const PORT = 24224;
const NOW = Date.parse('2026-12-02T12:00:00Z');
const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-fluentd/0123456789abcdef';
const binding = { cluster: 'web', targetGroupArn: TG, port: PORT };

const inst = (n: number, ecsStatus = 'ACTIVE', ec2State = 'running'): InstanceView => ({
  ec2InstanceId: `i-0000000000000000${n}`,
  ecsStatus,
  ec2State,
  privateIp: `10.0.0.${n}`,
});
const target = (ip: string, state = 'healthy', port = PORT, availabilityZone?: string): TargetView => ({
  ip,
  port,
  state,
  ...(availabilityZone ? { availabilityZone } : {}),
});

function snap(p: Partial<NlbSnapshot>): NlbSnapshot {
  return { binding, scope: 'cluster', instances: [], targets: [], interrupted: new Set(), heldByOthers: new Set(), ...p };
}

const actions = (s: NlbSnapshot, prune = false) =>
  Object.fromEntries(planNlbTargets(s, { prune }, NOW).decisions.map((d) => [`${d.ip}:${d.port}`, d.action]));

describe('planNlbTargets', () => {
  it.each<[string, Partial<NlbSnapshot>, boolean, Record<string, string>]>([
    ['registers an ACTIVE running instance not yet in the group', { instances: [inst(1)] }, false, { '10.0.0.1:24224': 'register' }],
    [
      'keeps an ACTIVE instance already registered',
      { instances: [inst(1)], targets: [target('10.0.0.1')] },
      false,
      { '10.0.0.1:24224': 'keep' },
    ],
    [
      'deregisters a DRAINING instance',
      { instances: [inst(1, 'DRAINING')], targets: [target('10.0.0.1')] },
      false,
      { '10.0.0.1:24224': 'deregister' },
    ],
    [
      'deregisters an ACTIVE instance EC2 is shutting down',
      { instances: [inst(1, 'ACTIVE', 'shutting-down')], targets: [target('10.0.0.1')] },
      false,
      { '10.0.0.1:24224': 'deregister' },
    ],
    ['does not register an ACTIVE instance that is stopped', { instances: [inst(1, 'ACTIVE', 'stopped')] }, false, {}],
    ['does not register an instance still REGISTERING', { instances: [inst(1, 'REGISTERING')] }, false, {}],
    [
      're-registers an ACTIVE instance whose target is draining',
      { instances: [inst(1)], targets: [target('10.0.0.1', 'draining')] },
      false,
      { '10.0.0.1:24224': 'register' },
    ],
    [
      'leaves a draining target of a DRAINING instance as it is',
      { instances: [inst(1, 'DRAINING')], targets: [target('10.0.0.1', 'draining')] },
      false,
      { '10.0.0.1:24224': 'keep' },
    ],
    [
      'deregisters an interrupted Spot instance though ECS still says ACTIVE',
      { instances: [inst(1)], targets: [target('10.0.0.1')], interrupted: new Set([inst(1).ec2InstanceId]) },
      false,
      { '10.0.0.1:24224': 'deregister' },
    ],
    [
      'never touches another port, even of a DRAINING instance',
      { instances: [inst(1, 'DRAINING')], targets: [target('10.0.0.1', 'healthy', 9880)] },
      true,
      {},
    ],
    [
      'leaves an IP another live instance holds',
      { targets: [target('10.9.9.9')], heldByOthers: new Set(['10.9.9.9']) },
      false,
      { '10.9.9.9:24224': 'leave-alone' },
    ],
    [
      'leaves an IP outside the VPC',
      { targets: [target('192.168.1.5', 'unhealthy', PORT, 'all')] },
      false,
      { '192.168.1.5:24224': 'leave-alone' },
    ],
    [
      'deregisters an IP no instance holds any more (a terminated instance)',
      { targets: [target('10.0.0.7', 'unhealthy')] },
      false,
      { '10.0.0.7:24224': 'deregister' },
    ],
    [
      'prunes an operator target when asked',
      { targets: [target('10.9.9.9')], heldByOthers: new Set(['10.9.9.9']) },
      true,
      { '10.9.9.9:24224': 'deregister' },
    ],
    [
      'in instance scope, leaves targets of other IPs to the reconcile',
      { scope: 'instances', instances: [inst(1)], targets: [target('10.0.0.7', 'unhealthy')] },
      true,
      { '10.0.0.1:24224': 'register' },
    ],
  ])('%s', (_name, partial, prune, expected) => {
    expect(actions(snap(partial), prune)).toEqual(expected);
  });

  it('puts every deregistration before any registration', () => {
    const plan = planNlbTargets(snap({ instances: [inst(1), inst(2, 'DRAINING')], targets: [target('10.0.0.2')] }), { prune: false }, NOW);
    expect(plan.steps.map((s) => s.kind)).toEqual(['deregister', 'register']);
  });

  it('remembers a Spot notice: marks the instance at the notice, and keeps a marked instance out for 2 minutes whatever ECS says', () => {
    const notice = planNlbTargets(
      snap({ scope: 'instances', instances: [inst(1)], targets: [target('10.0.0.1')], interrupted: new Set([inst(1).ec2InstanceId]) }),
      { prune: false },
      NOW,
    );
    expect(notice.steps).toEqual([
      { kind: 'markInterrupted', ec2InstanceId: inst(1).ec2InstanceId, at: NOW },
      { kind: 'deregister', targetGroupArn: TG, targets: [{ ip: '10.0.0.1', port: PORT }] },
    ]);
    const marked = (agoMs: number) => ({ ...inst(1), interruptedAt: NOW - agoMs });
    // A reconcile (or an instance event) 60 s after the notice, ECS still ACTIVE: not registered again; a target left is taken out.
    expect(actions(snap({ instances: [marked(60_000)] }))).toEqual({});
    expect(actions(snap({ instances: [marked(60_000)], targets: [target('10.0.0.1')] }))).toEqual({ '10.0.0.1:24224': 'deregister' });
    expect(actions(snap({ scope: 'instances', instances: [marked(60_000)] }))).toEqual({});
    // Still running 2 minutes after the notice: not reclaimed (stop/hibernate, resumed): it serves again.
    expect(actions(snap({ instances: [marked(120_000)] }))).toEqual({ '10.0.0.1:24224': 'register' });
    // A notice delivered again does not mark twice.
    const again = planNlbTargets(
      snap({ scope: 'instances', instances: [marked(10_000)], interrupted: new Set([inst(1).ec2InstanceId]) }),
      { prune: false },
      NOW,
    );
    expect(again.steps).toEqual([]);
  });

  it('names a reason for every decision', () => {
    const plan = planNlbTargets(
      snap({ instances: [inst(1), inst(2, 'DRAINING')], targets: [target('10.0.0.2'), target('10.0.0.8')] }),
      { prune: false },
      NOW,
    );
    for (const d of plan.decisions) expect(d.reason).toMatch(/\w/);
  });
});

const arbInstance = fc.record({
  n: fc.integer({ min: 1, max: 30 }),
  ecsStatus: fc.constantFrom('ACTIVE', 'DRAINING', 'REGISTERING'),
  ec2State: fc.constantFrom('running', 'running', 'stopping', 'shutting-down'),
});
const arbTarget = fc.record({
  n: fc.integer({ min: 1, max: 40 }),
  state: fc.constantFrom('healthy', 'unhealthy', 'initial', 'draining'),
  port: fc.constantFrom(PORT, PORT, 9880),
});
const arbSnapshot = fc
  .record({
    instances: fc.uniqueArray(arbInstance, { selector: (i) => i.n, maxLength: 20 }),
    targets: fc.uniqueArray(arbTarget, { selector: (t) => `${t.n}:${t.port}`, maxLength: 30 }),
    held: fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 10 }),
    prune: fc.boolean(),
  })
  .map(({ instances, targets, held, prune }) => ({
    prune,
    snapshot: snap({
      instances: instances.map((i) => inst(i.n, i.ecsStatus, i.ec2State)),
      targets: targets.map((t) =>
        target(`10.0.0.${t.n}`, t.state, t.port, t.n > 35 ? 'all' : undefined /* an address outside the VPC, on every port */),
      ),
      heldByOthers: new Set(held.filter((n) => !instances.some((i) => i.n === n)).map((n) => `10.0.0.${n}`)),
    }),
  }));

/** The group as ELBv2 holds it after the plan's steps (a deregistered target drains). */
function apply(s: NlbSnapshot, prune: boolean): NlbSnapshot {
  const byKey = new Map(s.targets.map((t) => [`${t.ip}:${t.port}`, t]));
  for (const step of planNlbTargets(s, { prune }, NOW).steps) {
    if (step.kind === 'markInterrupted') continue;
    for (const t of step.targets) byKey.set(`${t.ip}:${t.port}`, target(t.ip, step.kind === 'register' ? 'initial' : 'draining', t.port));
  }
  return { ...s, targets: [...byKey.values()] };
}

describe('planNlbTargets properties', () => {
  it('re-planning after its steps were carried out sends nothing', () => {
    fc.assert(
      fc.property(arbSnapshot, ({ snapshot, prune }) => {
        expect(planNlbTargets(apply(snapshot, prune), { prune }, NOW).steps).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('never touches another port, nor without prune an IP another live instance holds or one outside the VPC', () => {
    fc.assert(
      fc.property(arbSnapshot, ({ snapshot, prune }) => {
        const touched = planNlbTargets(snapshot, { prune }, NOW).steps.flatMap((s) => (s.kind === 'markInterrupted' ? [] : s.targets));
        for (const t of touched) expect(t.port).toBe(PORT);
        if (prune) return;
        const outside = new Set(snapshot.targets.filter((t) => t.availabilityZone === 'all').map((t) => t.ip));
        for (const t of touched) expect(snapshot.heldByOthers.has(t.ip) || outside.has(t.ip)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("leaves the group serving exactly the ACTIVE running instances (and what is not the cluster's)", () => {
    fc.assert(
      fc.property(arbSnapshot, ({ snapshot, prune }) => {
        const after = apply(snapshot, prune);
        const serving = new Set(after.targets.filter((t) => t.port === PORT && t.state !== 'draining').map((t) => t.ip));
        const ours = new Set(snapshot.instances.map((i) => i.privateIp));
        const wanted = snapshot.instances.filter((i) => i.ecsStatus === 'ACTIVE' && i.ec2State === 'running').map((i) => i.privateIp!);
        for (const ip of wanted) expect(serving.has(ip)).toBe(true);
        for (const ip of serving) if (ours.has(ip)) expect(wanted).toContain(ip);
      }),
      { numRuns: 300 },
    );
  });
});
