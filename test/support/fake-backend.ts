import { BACKOFF_TAG, LAST_SCALE_IN_TAG, LAST_SCALE_OUT_TAG } from '../../shared/tags';
import type {
  BackendAction,
  BackendInstance,
  BackendKind,
  BackendRef,
  BackendShape,
  BackendView,
  CapacityBackend,
} from '../../shared/capacity/ports';

export interface FakeBackendOptions {
  kind?: BackendKind;
  id?: string;
  tags?: Record<string, string>;
  min?: number;
  max?: number;
  /** Desired in units (default: the units of `instances`). */
  desired?: number;
  /** What it launches, in order (the first is launched to fill a shortfall). */
  shapes: BackendShape[];
  /** Instances present at the start, each of one of the shapes. */
  instances: Array<{ ec2InstanceId: string; instanceType: string }>;
}

/** A backend refused a change (the fake's stand-in for AWS's ValidationError). */
export class FakeBackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

/**
 * An in-memory CapacityBackend with the same contracts as the real ones (ports.ts): counts in
 * units, setDesired refused outside [min, max], remove lowers desired by the instance's weight and
 * is a no-op for an instance already gone, replace terminates keeping desired, recordAction writes the tag describe reads back.
 * `settle()` is time passing: the backend launches its first shape until in-service covers desired.
 */
export class FakeBackend implements CapacityBackend {
  readonly ref: BackendRef;
  readonly instances = new Map<string, BackendInstance>();
  readonly terminated: string[] = [];
  readonly calls: string[] = [];
  desired: number;
  min: number;
  max: number;
  /** When true, describe throws as for a backend that no longer exists. */
  gone = false;
  private launched = 0;

  constructor(private readonly options: FakeBackendOptions) {
    this.ref = { kind: options.kind ?? 'asg', id: options.id ?? 'fake-backend', tags: { ...(options.tags ?? {}) } };
    for (const i of options.instances) {
      this.instances.set(i.ec2InstanceId, {
        ...i,
        weight: this.weightOf(i.instanceType),
        state: 'in-service',
        protectedFromScaleIn: false,
      });
    }
    this.desired = options.desired ?? this.inService();
    this.min = options.min ?? 0;
    this.max = options.max ?? 100;
  }

  async describe(): Promise<BackendView> {
    this.calls.push('describe');
    if (this.gone) throw new FakeBackendError(`${this.ref.id} not found`);
    return structuredClone({
      ref: this.ref,
      counts: { desired: this.desired, inService: this.inService(), min: this.min, max: this.max },
      shapes: this.options.shapes,
      instances: [...this.instances.values()],
    });
  }

  async setDesired(units: number): Promise<void> {
    this.calls.push(`setDesired ${units}`);
    if (units > this.max) throw new FakeBackendError(`New SetDesiredCapacity value ${units} is above max value ${this.max}`);
    if (units < this.min) throw new FakeBackendError(`New SetDesiredCapacity value ${units} is below min value ${this.min}`);
    this.desired = units;
  }

  async remove(ec2InstanceId: string): Promise<{ removed: boolean; reason?: string }> {
    this.calls.push(`remove ${ec2InstanceId}`);
    const inst = this.instances.get(ec2InstanceId);
    if (!inst) return { removed: false, reason: `${ec2InstanceId} is not in ${this.ref.id}` };
    if (this.desired - inst.weight < this.min) throw new FakeBackendError(`removing ${ec2InstanceId} would take desired below min`);
    this.desired -= inst.weight;
    this.instances.delete(ec2InstanceId);
    this.terminated.push(ec2InstanceId);
    return { removed: true };
  }

  /** Terminates it keeping desired: the next settle() launches its replacement. */
  async replace(ec2InstanceId: string): Promise<{ replaced: boolean; reason?: string }> {
    this.calls.push(`replace ${ec2InstanceId}`);
    if (!this.instances.has(ec2InstanceId)) return { replaced: false, reason: `${ec2InstanceId} is not in ${this.ref.id}` };
    this.instances.delete(ec2InstanceId);
    this.terminated.push(ec2InstanceId);
    return { replaced: true };
  }

  async recordAction(kind: BackendAction, at: number, _o?: unknown, extraTags: Readonly<Record<string, string>> = {}): Promise<void> {
    this.calls.push(`recordAction ${kind}`);
    Object.assign(this.ref.tags, extraTags);
    this.ref.tags[kind === 'scale-out' ? LAST_SCALE_OUT_TAG : kind === 'scale-in' ? LAST_SCALE_IN_TAG : BACKOFF_TAG] = new Date(
      at,
    ).toISOString();
  }

  /** Time passes: launch the first shape until in-service units reach desired (the last may overshoot). */
  settle(): void {
    const shape = this.options.shapes[0];
    while (shape && this.inService() < this.desired) {
      const ec2InstanceId = `i-fake${String(++this.launched).padStart(12, '0')}`;
      this.instances.set(ec2InstanceId, {
        ec2InstanceId,
        instanceType: shape.instanceType,
        weight: shape.weight,
        state: 'in-service',
        protectedFromScaleIn: false,
      });
    }
  }

  private inService(): number {
    return [...this.instances.values()].filter((i) => i.state === 'in-service').reduce((sum, i) => sum + i.weight, 0);
  }

  private weightOf(instanceType: string): number {
    return this.options.shapes.find((s) => s.instanceType === instanceType)?.weight ?? 1;
  }
}
