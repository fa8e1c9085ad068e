import {
  CAPACITY_DEFAULTS,
  type CapacityInstance,
  type CapacitySettings,
  type CapacitySnapshot,
  type CapacityTask,
  type CapacityService,
  type InstanceShape,
} from '../../../shared/capacity/types';

export const T0 = Date.UTC(2026, 11, 1, 3, 0, 0);
export const MIN = 60_000;

export const M5_LARGE: InstanceShape = { instanceType: 'm5.large', weight: 1, cpu: 2048, memory: 7680 };
export const M5_XLARGE: InstanceShape = { instanceType: 'm5.xlarge', weight: 2, cpu: 4096, memory: 15616 };
export const M5_4XLARGE: InstanceShape = { instanceType: 'm5.4xlarge', weight: 8, cpu: 16384, memory: 62976 };

export function settings(over: Partial<CapacitySettings> = {}): CapacitySettings {
  return { ...CAPACITY_DEFAULTS, min: 1, max: 20, ...over };
}

let n = 0;
export function svcTask(serviceName: string, cpu = 256, memory = 512, prot = false): CapacityTask {
  return { taskArn: `arn:task/${serviceName}-${++n}`, kind: 'service', serviceName, protected: prot, cpu, memory };
}

export function batchTask(cpu = 256, memory = 512): CapacityTask {
  return { taskArn: `arn:task/batch-${++n}`, kind: 'standalone', protected: false, cpu, memory };
}

/** An instance of `shape` whose remaining room is what its tasks leave. */
export function inst(
  id: string,
  az: string,
  tasks: CapacityTask[] = [],
  over: Partial<CapacityInstance> = {},
  shape: InstanceShape = M5_LARGE,
): CapacityInstance {
  const used = tasks.reduce((u, t) => ({ cpu: u.cpu + t.cpu, memory: u.memory + t.memory }), { cpu: 0, memory: 0 });
  return {
    containerInstanceArn: `arn:ci/${id}`,
    ec2InstanceId: id,
    availabilityZone: az,
    instanceType: shape.instanceType,
    status: 'ACTIVE',
    agentConnected: true,
    registered: { cpu: shape.cpu, memory: shape.memory },
    remaining: { cpu: shape.cpu - used.cpu, memory: shape.memory - used.memory },
    tasks,
    doNotDisrupt: false,
    ...over,
  };
}

export function svc(name: string, desired: number, running = desired, pending = 0, cpu = 256, memory = 512): CapacityService {
  return { name, desired, running, pending, task: { cpu, memory } };
}

type SnapshotOver = Partial<Omit<CapacitySnapshot, 'backend'>> & { desired?: number; min?: number; max?: number; shapes?: InstanceShape[] };

/** A cluster; desired defaults to the units of its instances plus what is in flight. */
export function snapshot(over: SnapshotOver = {}): CapacitySnapshot {
  const { desired, min, max, shapes = [M5_LARGE], ...rest } = over;
  const instances = rest.instances ?? [];
  const flying = (rest.inFlight ?? []).reduce((u, f) => u + f.units, 0);
  const units = instances.reduce((u, i) => u + (shapes.find((s) => s.instanceType === i.instanceType)?.weight ?? 1), 0);
  return {
    cluster: 'web',
    instances,
    services: [],
    inFlight: [],
    recent: {},
    ...rest,
    backend: { counts: { desired: desired ?? units + flying, inService: units, min: min ?? 0, max: max ?? 100 }, shapes },
  };
}

/** `count` service tasks of `name` of one size. */
export const tasksOf = (name: string, count: number, cpu = 256, memory = 512): CapacityTask[] =>
  Array.from({ length: count }, () => svcTask(name, cpu, memory));
