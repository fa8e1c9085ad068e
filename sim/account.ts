import { HttpResponse } from '@smithy/core/transport';
import { makeClients, type AwsClients, type ClientOptions, type ServiceName } from '../shared/aws/clients';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { ALL_CLIENTS } from './all-clients';
import { VirtualClock } from './clock';
import { simError, throttled } from './errors';
import { SimAthena } from './athena';
import { SimAutoScaling } from './autoscaling';
import { SimEc2 } from './ec2';
import { SimEcs } from './ecs';
import { SimElbv2 } from './elbv2';
import { SimGlue } from './glue';
import { SimSns } from './sns';
import { SimSqs } from './sqs';

/** One API operation of a simulated service: input as the SDK sends it, output as the SDK returns it. */
export type Operation = (input: any) => unknown | Promise<unknown>;
export type OperationTable = Record<string, Operation>;

export interface SimService {
  /** Operation name without the `Command` suffix, e.g. `ListContainerInstances`. */
  operations(): OperationTable;
}

export interface CallRecord {
  service: ServiceName;
  operation: string;
  input: unknown;
  at: number;
  error?: string;
}

interface OneShotFault {
  service: ServiceName;
  operation: string;
  error: Error;
  when?: (input: any) => boolean;
  remaining: number;
}

export interface FaultKnobs {
  /** Share of calls (0..1) answered with ThrottlingException, drawn from a seeded generator. */
  throttleRate: number;
  /** Only these operations are throttled (all when empty). */
  throttleOperations: string[];
  /** Simulated time each call takes, in ms (moves the virtual clock). */
  latencyMs: number;
  /** Per-operation latency in ms, overriding latencyMs. */
  latencyByOperation: Record<string, number>;
}

interface Scheduled {
  at: number;
  seq: number;
  run: () => void;
}

/**
 * An in-memory, stateful slice of one AWS account and region. Plugged into the real SDK
 * clients below their retry layer (a `deserialize`-step middleware), so the SDK's retries,
 * paginators and our adapters run unchanged against it.
 */
export class SimulatedAccount {
  readonly region: string;
  readonly accountId: string;
  readonly clock: VirtualClock;
  readonly calls: CallRecord[] = [];
  readonly faults: FaultKnobs = { throttleRate: 0, throttleOperations: [], latencyMs: 0, latencyByOperation: {} };

  readonly ec2: SimEc2;
  readonly ecs: SimEcs;
  readonly elbv2: SimElbv2;
  readonly autoscaling: SimAutoScaling;
  readonly sqs: SimSqs;
  readonly sns: SimSns;
  readonly glue: SimGlue;
  readonly athena: SimAthena;

  private oneShots: OneShotFault[] = [];
  private schedule: Scheduled[] = [];
  private seq = 0;
  private rngState: number;
  private idCounter = 0;

  constructor(options: { region?: string; accountId?: string; start?: number | string; seed?: number } = {}) {
    this.region = options.region ?? 'eu-west-1';
    this.accountId = options.accountId ?? '123456789012';
    this.clock = new VirtualClock(options.start);
    this.rngState = options.seed ?? 42;
    this.ec2 = new SimEc2(this);
    this.ecs = new SimEcs(this);
    this.elbv2 = new SimElbv2(this);
    this.autoscaling = new SimAutoScaling(this);
    this.sqs = new SimSqs(this);
    this.sns = new SimSns(this);
    this.glue = new SimGlue(this);
    this.athena = new SimAthena(this);
  }

  /** SDK clients wired to this account, with short fixed retry backoff unless told otherwise. */
  clients(options: Omit<ClientOptions, 'configure' | 'endpoint'> = {}): AwsClients {
    return makeClients(ALL_CLIENTS, {
      region: this.region,
      credentials: { accessKeyId: 'SIMULATED', secretAccessKey: 'SIMULATED' },
      retryStrategy: options.retryStrategy ?? new ConfiguredRetryStrategy(options.maxAttempts ?? 8, () => 1),
      ...options,
      endpoint: 'https://simulated.invalid',
      configure: (client, service) => this.attach(client, service),
    });
  }

  /** Add the answering middleware to one client. */
  attach(client: AwsClients[ServiceName], service: ServiceName): void {
    const stack = client.middlewareStack as unknown as {
      add: (mw: unknown, options: { step: string; priority: string; name: string }) => void;
    };
    stack.add(
      (_next: unknown, context: { commandName?: string }) => async (args: { input: unknown }) => {
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        const output = (await this.call(service, operation, args.input)) as Record<string, unknown> | undefined;
        return {
          output: {
            ...(output ?? {}),
            $metadata: { httpStatusCode: 200, requestId: `sim-${this.nextId()}`, attempts: 1, totalRetryDelay: 0 },
          },
          response: new HttpResponse({ statusCode: 200, headers: {} }),
        };
      },
      { step: 'deserialize', priority: 'high', name: 'simulatedAwsAccount' },
    );
  }

  /** Answer one API call: due events, faults, latency, then the model. */
  async call(service: ServiceName, operation: string, rawInput: unknown): Promise<unknown> {
    const input = structuredClone(rawInput ?? {});
    const record: CallRecord = { service, operation, input, at: this.clock.now() };
    this.calls.push(record);
    try {
      const latency = this.faults.latencyByOperation[operation] ?? this.faults.latencyMs;
      if (latency > 0) await this.clock.sleep(latency);
      this.runDue();
      const fault = this.takeOneShot(service, operation, input);
      if (fault) throw fault;
      if (this.shouldThrottle(operation)) throw throttled(operation);
      const op = this.services()[service].operations()[operation];
      if (!op) throw simError('UnknownOperationException', `the simulated account does not model ${service}.${operation}`);
      const output = await op(input);
      return output === undefined ? {} : structuredClone(output);
    } catch (err) {
      record.error = (err as Error).name;
      throw err;
    }
  }

  /** Fail the next `times` calls of `service.operation` (matching `when`) with `error`. */
  failNext(service: ServiceName, operation: string, error: Error, options: { times?: number; when?: (input: any) => boolean } = {}): void {
    this.oneShots.push({ service, operation, error, when: options.when, remaining: options.times ?? 1 });
  }

  /** Run `run` once simulated time reaches `at` (checked before every call and on `settle`). */
  at(at: number, run: () => void): void {
    this.schedule.push({ at, seq: this.seq++, run });
    this.schedule.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  /** Move time forward and apply everything that became due. */
  advance(ms: number): void {
    this.clock.advance(ms);
    this.runDue();
  }

  runDue(): void {
    while (this.schedule.length > 0 && this.schedule[0]!.at <= this.clock.now()) {
      this.schedule.shift()!.run();
    }
  }

  /** Deterministic pseudo-random number in [0, 1) (mulberry32). */
  random(): number {
    let t = (this.rngState = (this.rngState + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  nextId(): string {
    this.idCounter += 1;
    return this.idCounter.toString(16).padStart(8, '0');
  }

  arn(service: string, resource: string): string {
    return `arn:aws:${service}:${this.region}:${this.accountId}:${resource}`;
  }

  countCalls(service: ServiceName, operation: string): number {
    return this.calls.filter((c) => c.service === service && c.operation === operation).length;
  }

  private services(): Record<ServiceName, SimService> {
    return {
      ec2: this.ec2,
      ecs: this.ecs,
      elbv2: this.elbv2,
      autoscaling: this.autoscaling,
      sqs: this.sqs,
      sns: this.sns,
      glue: this.glue,
      athena: this.athena,
    };
  }

  private takeOneShot(service: ServiceName, operation: string, input: unknown): Error | undefined {
    const i = this.oneShots.findIndex((f) => f.service === service && f.operation === operation && (!f.when || f.when(input)));
    if (i < 0) return undefined;
    const fault = this.oneShots[i]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.oneShots.splice(i, 1);
    return fault.error;
  }

  private shouldThrottle(operation: string): boolean {
    const { throttleRate, throttleOperations } = this.faults;
    if (throttleRate <= 0) return false;
    if (throttleOperations.length > 0 && !throttleOperations.includes(operation)) return false;
    return this.random() < throttleRate;
  }
}
