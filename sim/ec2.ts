import type { DescribeInstancesCommandInput, InstanceStateName, TerminateInstancesCommandInput } from '@aws-sdk/client-ec2';
import type { OperationTable, SimService, SimulatedAccount } from './account';
import { InstanceCapacity } from './ec2-capacity';
import { Ec2Fleets, type FleetOptions } from './ec2-fleet';
import { describedInstance, instanceMatches, STATE_CODES } from './ec2-instance-shapes';
import { instanceTypeOperations } from './ec2-instance-types';
import { SpotFleets, type SpotFleetOptions } from './ec2-spot-fleet';
import { spotRequestOperations } from './ec2-spot-requests';
import { EbsVolumes } from './ec2-volumes';
import { NetworkInterfaces } from './ec2-network-interfaces';
import { tagOperations } from './ec2-tags';
import { simError } from './errors';
import { EC2_DESCRIBE_INSTANCES_MAX_RESULTS } from './limits';
import { eventTime, hexId, page, uuid, type EventBridgeEvent } from './util';

/** What a new instance joins once booted: the ECS agent registers it after `registerAfterMs`. */
export interface EcsJoin {
  cluster: string;
  cpu: number;
  memory: number;
  /** Boot + agent start time before the container instance appears (default 60 s). */
  registerAfterMs?: number;
}

export interface LaunchOptions {
  lifecycle?: 'spot' | 'on-demand';
  instanceType?: string;
  az?: string;
  asgName?: string;
  spotFleetRequestId?: string;
  /** More tags (an EC2 Fleet's, its aws:ec2:fleet-id). */
  tags?: Record<string, string>;
  ecs?: EcsJoin;
}

export interface InstanceRecord {
  instanceId: string;
  state: InstanceStateName;
  lifecycle: 'spot' | 'on-demand';
  instanceType: string;
  az: string;
  subnetId: string;
  privateIp: string;
  launchTime: number;
  tags: Record<string, string>;
  terminatedAt?: number;
  /** Why it went: TerminateInstances, a Spot reclaim, its Auto Scaling group. */
  terminatedBy?: 'api' | 'spot' | 'autoscaling' | 'fleet';
  interruptionNoticeAt?: number;
}

export type SpotInterruptionDetail = { 'instance-id': string; 'instance-action': 'terminate' };

/** Spot gives two minutes between the interruption warning and the reclaim. */
export const SPOT_NOTICE_MS = 120_000;

/** EC2: instances (on-demand and Spot), Spot interruptions and, in ec2-spot-fleet.ts, Spot Fleets. */
export class SimEc2 implements SimService {
  readonly spotFleets: SpotFleets;
  /** EC2 Fleets of type `maintain` (sim/ec2-fleet.ts). */
  readonly fleets: Ec2Fleets;
  /** The knob that makes launches of an instance type fail with InsufficientInstanceCapacity. */
  readonly capacity: InstanceCapacity;
  /** EBS volumes (sim/ec2-volumes.ts). */
  readonly volumes: EbsVolumes = new EbsVolumes(this);
  private readonly instances = new Map<string, InstanceRecord>();
  /** Network interfaces: instances', awsvpc tasks', and ones created by hand (sim/ec2-network-interfaces.ts). */
  readonly networkInterfaces = new NetworkInterfaces(this, () => this.instances.values());
  private readonly subnets = new Map<string, string>();
  private readonly emitted: Array<EventBridgeEvent<unknown>> = [];
  private ipCounter = 10;
  private azCounter = 0;

  constructor(readonly account: SimulatedAccount) {
    this.spotFleets = new SpotFleets(account, this);
    this.fleets = new Ec2Fleets(account, this);
    this.capacity = new InstanceCapacity(account.region);
  }

  operations(): OperationTable {
    return {
      ...this.spotFleets.operations(),
      ...this.fleets.operations(),
      ...tagOperations(this),
      ...this.volumes.operations(),
      ...this.networkInterfaces.operations(),
      ...instanceTypeOperations(),
      ...spotRequestOperations(() => this.instances.values()),
      DescribeInstances: (input: DescribeInstancesCommandInput) => this.describeInstances(input),
      TerminateInstances: (input: TerminateInstancesCommandInput) => {
        const ids = input.InstanceIds ?? [];
        this.requireKnown(ids);
        return {
          TerminatingInstances: ids.map((id) => {
            const inst = this.instances.get(id)!;
            const previous = inst.state;
            this.terminate(id, 'api');
            const current = previous === 'terminated' ? 'terminated' : 'shutting-down';
            return {
              InstanceId: id,
              PreviousState: { Code: STATE_CODES[previous], Name: previous },
              CurrentState: { Code: STATE_CODES[current], Name: current },
            };
          }),
        };
      },
    };
  }

  // ---- seeding and observing --------------------------------------------------------

  /** A running instance (optionally in an ASG or Spot Fleet, optionally joining an ECS cluster). */
  launchInstance(options: LaunchOptions = {}): { instanceId: string; privateIp: string } {
    const instanceId = `i-0${hexId(this.account, 16)}`;
    const az = options.az ?? `${this.account.region}${'abc'[this.azCounter++ % 3]}`;
    const tags: Record<string, string> = { ...(options.tags ?? {}) };
    if (options.asgName) tags['aws:autoscaling:groupName'] = options.asgName;
    if (options.spotFleetRequestId) tags['aws:ec2spot:fleet-request-id'] = options.spotFleetRequestId;
    const record: InstanceRecord = {
      instanceId,
      state: 'running',
      lifecycle: options.lifecycle ?? 'on-demand',
      instanceType: options.instanceType ?? 'm5.large',
      az,
      subnetId: this.subnetFor(az),
      privateIp: this.allocatePrivateIp(),
      launchTime: this.account.clock.now(),
      tags,
    };
    this.instances.set(instanceId, record);
    if (options.ecs) {
      const join = options.ecs;
      this.account.at(this.account.clock.now() + (join.registerAfterMs ?? 60_000), () => {
        if (record.state !== 'running') return;
        this.account.ecs.registerContainerInstance({
          cluster: join.cluster,
          ec2InstanceId: instanceId,
          cpu: join.cpu,
          memory: join.memory,
        });
      });
    }
    return { instanceId, privateIp: record.privateIp };
  }

  /** A `maintain` Spot Fleet over existing instances; answers its id (sfr-…). */
  createSpotFleet(options: SpotFleetOptions): string {
    return this.spotFleets.create(options);
  }

  /** An EC2 Fleet of type `maintain` (weighted instance types, Spot and on-demand); answers its id (fleet-…). */
  createFleet(options: FleetOptions): string {
    return this.fleets.create(options);
  }

  instance(instanceId: string): InstanceRecord | undefined {
    return this.instances.get(instanceId);
  }

  /** Every EventBridge event EC2 has sent (interruption warnings, including Spot Fleet scale-in). */
  events(): Array<EventBridgeEvent<unknown>> {
    return [...this.emitted];
  }

  /**
   * Send the Spot interruption warning (at `at`, default now) and reclaim the instance two
   * minutes later: its tasks are killed, its targets removed, its container instance goes
   * INACTIVE. Answers the event exactly as EventBridge delivers it.
   */
  interruptSpot(instanceId: string, options: { at?: number } = {}): EventBridgeEvent<SpotInterruptionDetail> {
    const inst = this.instances.get(instanceId);
    if (!inst) throw new Error(`interruptSpot: unknown instance ${instanceId}`);
    if (inst.lifecycle !== 'spot') throw new Error(`interruptSpot: ${instanceId} is not a Spot instance`);
    const noticeAt = options.at ?? this.account.clock.now();
    inst.interruptionNoticeAt = noticeAt;
    const event: EventBridgeEvent<SpotInterruptionDetail> = {
      version: '0',
      id: uuid(this.account),
      'detail-type': 'EC2 Spot Instance Interruption Warning',
      source: 'aws.ec2',
      account: this.account.accountId,
      time: eventTime(noticeAt),
      region: this.account.region,
      // As AWS documents (and sends) it: the Availability Zone in the region slot, no account.
      resources: [`arn:aws:ec2:${inst.az}:instance/${instanceId}`],
      detail: { 'instance-id': instanceId, 'instance-action': 'terminate' },
    };
    this.emitted.push(event);
    this.account.at(noticeAt + SPOT_NOTICE_MS, () => this.terminate(instanceId, 'spot'));
    return event;
  }

  /**
   * The instance goes away now: ECS loses its tasks and container instance, ELBv2 its
   * targets, its Auto Scaling group or Spot Fleet notices. A no-op when already gone.
   */
  terminate(instanceId: string, by: NonNullable<InstanceRecord['terminatedBy']>): void {
    const inst = this.instances.get(instanceId);
    if (!inst || inst.state === 'terminated' || inst.state === 'shutting-down') return;
    // Simplified: straight to terminated (TerminateInstances still answers shutting-down).
    inst.state = 'terminated';
    inst.terminatedAt = this.account.clock.now();
    inst.terminatedBy = by;
    this.account.ecs.instanceGone(instanceId, by === 'spot' ? 'TerminationNotice' : 'EssentialContainerExited');
    this.account.elbv2.removeInstanceTargets(instanceId);
    this.account.autoscaling.instanceGone(instanceId);
    this.spotFleets.instanceGone(instanceId);
    this.fleets.instanceGone(instanceId);
  }

  allocatePrivateIp(): string {
    const n = this.ipCounter++;
    return `10.0.${Math.floor(n / 250)}.${(n % 250) + 4}`;
  }

  subnetFor(az: string): string {
    let subnet = this.subnets.get(az);
    if (!subnet) {
      subnet = `subnet-0${hexId(this.account, 16)}`;
      this.subnets.set(az, subnet);
    }
    return subnet;
  }

  emit(event: EventBridgeEvent<unknown>): void {
    this.emitted.push(event);
  }

  // ---- DescribeInstances ----------------------------------------------------------------

  private describeInstances(input: DescribeInstancesCommandInput) {
    const ids = input.InstanceIds ?? [];
    if (ids.length > 0 && input.MaxResults !== undefined) {
      throw simError('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
    }
    const { min, max } = EC2_DESCRIBE_INSTANCES_MAX_RESULTS;
    if (input.MaxResults !== undefined && (input.MaxResults < min || input.MaxResults > max)) {
      throw simError(
        'InvalidParameterValue',
        `Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`,
      );
    }
    this.requireKnown(ids);
    const candidates = ids.length > 0 ? ids.map((id) => this.instances.get(id)!) : [...this.instances.values()];
    const matching = candidates.filter((i) => (input.Filters ?? []).every((f) => instanceMatches(i, f)));
    const { items, nextToken } = page(matching, input.NextToken, input.MaxResults ?? max, () =>
      simError('InvalidParameterValue', 'The specified NextToken is not valid.'),
    );
    return {
      Reservations: items.map((i) => ({
        ReservationId: `r-0${i.instanceId.slice(3)}`,
        OwnerId: this.account.accountId,
        Instances: [describedInstance(i)],
      })),
      NextToken: nextToken,
    };
  }

  private requireKnown(ids: readonly string[]): void {
    const unknown = ids.filter((id) => !this.instances.has(id));
    if (unknown.length === 1) throw simError('InvalidInstanceID.NotFound', `The instance ID '${unknown[0]}' does not exist`);
    if (unknown.length > 1) throw simError('InvalidInstanceID.NotFound', `The instance IDs '${unknown.join(', ')}' do not exist`);
  }
}
