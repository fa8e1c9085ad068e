import fc from 'fast-check';
import type { CapacityInstance, CapacitySettings, CapacitySnapshot, CapacityTask, InstanceShape } from '../../../shared/capacity/types';
import { MIN, settings, T0 } from './fixtures';

const SHAPES: InstanceShape[] = [
  { instanceType: 'c5.large', weight: 1, cpu: 2048, memory: 3840 },
  { instanceType: 'm5.large', weight: 1, cpu: 2048, memory: 7680 },
  { instanceType: 'm5.xlarge', weight: 2, cpu: 4096, memory: 15616 },
  { instanceType: 'r5.2xlarge', weight: 4, cpu: 8192, memory: 63488 },
];

const arbSettings: fc.Arbitrary<CapacitySettings> = fc
  .record({
    out: fc.integer({ min: 60, max: 95 }),
    inn: fc.integer({ min: 10, max: 55 }),
    min: fc.integer({ min: 0, max: 4 }),
    span: fc.integer({ min: 0, max: 30 }),
    maxStep: fc.integer({ min: 1, max: 8 }),
    headroom: fc.record({ tasks: fc.integer({ min: 0, max: 3 }), cpu: fc.constantFrom(256, 1024), memory: fc.constantFrom(512, 2048) }),
    maxDraining: fc.integer({ min: 1, max: 3 }),
  })
  .map((x) =>
    settings({
      scaleOutCpuPercent: x.out,
      scaleOutMemoryPercent: x.out,
      scaleInCpuPercent: Math.min(x.inn, x.out - 5),
      scaleInMemoryPercent: Math.min(x.inn, x.out - 5),
      min: x.min,
      max: x.min + x.span,
      maxStep: x.maxStep,
      headroom: x.headroom,
      maxDraining: x.maxDraining,
    }),
  );

const arbTaskSpec = fc.record({
  service: fc.integer({ min: 0, max: 3 }),
  standalone: fc.boolean(),
  protected: fc.boolean(),
});

const arbInstanceSpec = fc.record({
  shape: fc.integer({ min: 0, max: SHAPES.length - 1 }),
  az: fc.constantFrom('az-a', 'az-b', 'az-c'),
  draining: fc.integer({ min: 0, max: 9 }).map((k) => (k === 0 ? 'spot' : k === 1 ? 'ours' : 'active')),
  agentConnected: fc.integer({ min: 0, max: 9 }).map((k) => k !== 0),
  doNotDisrupt: fc.integer({ min: 0, max: 5 }).map((k) => k === 0),
  tasks: fc.array(arbTaskSpec, { maxLength: 8 }),
});

const arbServiceSpec = fc.record({
  cpu: fc.constantFrom(128, 256, 512, 1024, 3072, 12288),
  memory: fc.constantFrom(256, 512, 1024, 4096, 40000),
  extra: fc.integer({ min: -1, max: 12 }),
  pending: fc.integer({ min: 0, max: 4 }).map((k) => (k === 0 ? 1 : 0)),
});

export interface World {
  snap: CapacitySnapshot;
  settings: CapacitySettings;
  now: number;
}

/**
 * A cluster consistent with itself: instances of the backend's shapes whose remaining room is
 * what their tasks leave (tasks that do not fit are not placed), services counting their
 * tasks, desired = the units of the instances plus what is in flight, within the bounds.
 */
export const arbWorld: fc.Arbitrary<World> = fc
  .record({
    settings: arbSettings,
    shapes: fc.uniqueArray(fc.integer({ min: 0, max: SHAPES.length - 1 }), { minLength: 1, maxLength: 3 }),
    services: fc.array(arbServiceSpec, { minLength: 1, maxLength: 4 }),
    instances: fc.array(arbInstanceSpec, { maxLength: 8 }),
    inFlight: fc.array(fc.record({ units: fc.integer({ min: 1, max: 4 }), ageMin: fc.integer({ min: 0, max: 15 }) }), { maxLength: 2 }),
    lastScaleOutAgoMin: fc.option(fc.integer({ min: 0, max: 60 })),
  })
  .map((w) => {
    const shapes = w.shapes.map((k) => SHAPES[k]);
    const services = w.services.map((v, k) => ({ name: `svc-${k}`, ...v, running: 0 }));
    const instances: CapacityInstance[] = w.instances.map((spec, k) => {
      const shape = shapes[spec.shape % shapes.length];
      const remaining = { cpu: shape.cpu, memory: shape.memory };
      const tasks: CapacityTask[] = [];
      spec.tasks.forEach((t, j) => {
        const v = services[t.service % services.length];
        const size = t.standalone ? { cpu: 256, memory: 512 } : { cpu: v.cpu, memory: v.memory };
        if (size.cpu > remaining.cpu || size.memory > remaining.memory) return;
        remaining.cpu -= size.cpu;
        remaining.memory -= size.memory;
        if (!t.standalone) v.running++;
        tasks.push({
          taskArn: `arn:task/${k}-${j}`,
          kind: t.standalone ? 'standalone' : 'service',
          serviceName: t.standalone ? undefined : v.name,
          protected: t.protected && j % 3 === 0,
          ...size,
        });
      });
      return {
        containerInstanceArn: `arn:ci/${k}`,
        ec2InstanceId: `i-${String(k).padStart(2, '0')}`,
        availabilityZone: spec.az,
        instanceType: shape.instanceType,
        status: spec.draining === 'active' ? 'ACTIVE' : 'DRAINING',
        drainedForScaleIn: spec.draining === 'ours' || undefined,
        agentConnected: spec.agentConnected,
        registered: { cpu: shape.cpu, memory: shape.memory },
        remaining,
        tasks,
        doNotDisrupt: spec.doNotDisrupt,
      };
    });
    const units = instances.reduce((u, i) => u + shapes.find((s) => s.instanceType === i.instanceType)!.weight, 0);
    const inFlight = w.inFlight.map((f) => ({ units: f.units, requestedAt: T0 - f.ageMin * MIN }));
    const s = w.settings;
    const desired = Math.min(s.max, Math.max(s.min, units + inFlight.reduce((u, f) => u + f.units, 0)));
    const snap: CapacitySnapshot = {
      cluster: 'prop',
      instances,
      services: services.map((v) => ({
        name: v.name,
        desired: Math.max(0, v.running + v.extra),
        running: v.running,
        pending: v.pending,
        task: { cpu: v.cpu, memory: v.memory },
      })),
      backend: { counts: { desired, inService: units, min: 0, max: 1000 }, shapes },
      inFlight,
      recent: { lastScaleOutAt: w.lastScaleOutAgoMin === null ? undefined : T0 - w.lastScaleOutAgoMin * MIN },
    };
    return { snap, settings: s, now: T0 };
  });

/** The same clusters on a quiet night: every service steady, nothing in flight, no recent scale-out, scale-in at 5 points under scale-out. */
export const arbQuietWorld: fc.Arbitrary<World> = arbWorld.map((w) => ({
  ...w,
  snap: {
    ...w.snap,
    services: w.snap.services.map((v) => ({ ...v, desired: v.running, pending: 0 })),
    inFlight: [],
    recent: {},
  },
  settings: {
    ...w.settings,
    scaleInCpuPercent: w.settings.scaleOutCpuPercent - 5,
    scaleInMemoryPercent: w.settings.scaleOutMemoryPercent - 5,
  },
}));

/** Busy and quiet clusters alike. */
export const arbAnyWorld: fc.Arbitrary<World> = fc.oneof(arbWorld, arbQuietWorld);
