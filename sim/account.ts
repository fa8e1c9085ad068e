import { HttpResponse } from '@smithy/core/transport';
import { SimAthena } from './athena';
import { SimAutoScaling } from './autoscaling';
import { SimCloudWatch } from './cloudwatch';
import { buildClients, type ServiceName, type SimClientOptions, type SimClients } from './clients';
import { VirtualClock } from './clock';
import { SimEc2 } from './ec2';
import { SimEcs } from './ecs';
import { SimElbv2 } from './elbv2';
import { simError, throttled } from './errors';
import { FaultSchedule, type ErrorSource, type FaultKnobs } from './faults';
import { SimGlue } from './glue';
import { SimKms } from './kms';
import { RateLimits } from './rate-limits';
import { VirtualStandardRetryStrategy } from './retry';
import { SimSns } from './sns';
import { SimSqs } from './sqs';

export type { ServiceName, SimClientOptions, SimClients } from './clients';
export type { BucketSpec } from './rate-limits';
export type { ErrorSource, FaultKnobs } from './faults';

/** Attempts per call (first try included) of the default retry strategy. */
const DEFAULT_MAX_ATTEMPTS = 8;

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
  /** The rate bucket that ran dry, when the call was throttled by one. */
  throttledBy?: string;
}

/** mulberry32: a small, seeded, deterministic generator of numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    let t = (state = (state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
  /** Request-rate token buckets, shared by every client of this account (on by default, as on AWS). */
  readonly rateLimits: RateLimits;

  readonly ec2: SimEc2;
  readonly ecs: SimEcs;
  readonly elbv2: SimElbv2;
  readonly autoscaling: SimAutoScaling;
  readonly sqs: SimSqs;
  readonly sns: SimSns;
  readonly glue: SimGlue;
  readonly athena: SimAthena;
  readonly cloudwatch: SimCloudWatch;
  readonly kms: SimKms;

  private readonly injected = new FaultSchedule();
  private idCounter = 0;
  /** Draws for the fault knobs. */
  private readonly faultRandom: () => number;
  /** Draws for retry jitter: a stream of its own, so retries do not shift which calls the knobs hit. */
  private readonly jitterRandom: () => number;

  constructor(options: { region?: string; accountId?: string; start?: number | string; seed?: number } = {}) {
    this.region = options.region ?? 'eu-west-1';
    this.accountId = options.accountId ?? '123456789012';
    this.clock = new VirtualClock(options.start);
    const seed = options.seed ?? 42;
    this.faultRandom = mulberry32(seed);
    this.jitterRandom = mulberry32(seed ^ 0x5bd1e995);
    // Our own retry policy's jitter (shared/aws/retry.ts) reads the clock's: seeded too, so a run repeats for its seed.
    this.clock.random = mulberry32(seed ^ 0x27d4eb2f);
    this.rateLimits = new RateLimits(() => this.clock.now());
    this.ec2 = new SimEc2(this);
    this.ecs = new SimEcs(this);
    this.elbv2 = new SimElbv2(this);
    this.autoscaling = new SimAutoScaling(this);
    this.sqs = new SimSqs(this);
    this.sns = new SimSns(this);
    this.glue = new SimGlue(this);
    this.athena = new SimAthena(this);
    this.cloudwatch = new SimCloudWatch(this);
    this.kms = new SimKms(this);
  }

  /**
   * Real SDK clients wired to this account. By default each client retries as the SDK's
   * standard strategy does (exponential backoff with full jitter, a retry quota per client),
   * the backoff elapsing on the virtual clock and the jitter drawn from the account's seed.
   */
  clients(options: SimClientOptions = {}): SimClients {
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    return buildClients({
      region: this.region,
      strategyFor: () =>
        options.retryStrategy ?? new VirtualStandardRetryStrategy({ maxAttempts, clock: this.clock, random: this.jitterRandom }),
      attach: (client, service) => this.attach(client, service),
    });
  }

  /** Add the answering middleware to one client (production's own client factory can call this too). */
  attach(client: { middlewareStack: unknown }, service: ServiceName): void {
    const stack = client.middlewareStack as {
      add: (mw: unknown, options: { step: string; priority: string; name: string }) => void;
    };
    stack.add(
      (_next: unknown, context: { commandName?: string; __smithy_context?: { abortSignal?: AbortSignal } }) =>
        async (args: { input: unknown }) => {
          const operation = (context.commandName ?? '').replace(/Command$/, '');
          // Like the SDK's HTTP handler: a request whose abort signal has fired is never sent.
          const signal = context.__smithy_context?.abortSignal;
          if (signal?.aborted) throw Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
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

  /**
   * Answer one API call: latency, due events, an outage window, one-shot faults, the random
   * throttling knob, the rate buckets, then the model.
   */
  async call(service: ServiceName, operation: string, rawInput: unknown): Promise<unknown> {
    const input = structuredClone(rawInput ?? {});
    const record: CallRecord = { service, operation, input, at: this.clock.now() };
    this.calls.push(record);
    try {
      const latency = this.faults.latencyByOperation[operation] ?? this.faults.latencyMs;
      if (latency > 0) await this.clock.sleep(latency);
      this.runDue();
      const fault = this.injected.outage(service, operation, this.clock.now()) ?? this.injected.takeOneShot(service, operation, input);
      if (fault) throw fault;
      if (this.shouldThrottle(operation)) throw throttled(service);
      const dry = this.rateLimits.take(service, operation, input);
      if (dry) {
        record.throttledBy = dry;
        throw throttled(service);
      }
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
  failNext(
    service: ServiceName,
    operation: string,
    error: ErrorSource,
    options: { times?: number; when?: (input: any) => boolean } = {},
  ): void {
    this.injected.failNext(service, operation, error, options);
  }

  /**
   * An outage: every call of `service.operation` (or of the whole service with '*') made while
   * simulated time is in [from, to) fails with `error` (e.g. `() => serverError('ecs')`).
   */
  failDuring(service: ServiceName, operation: string, error: ErrorSource, window: { from: number; to: number }): void {
    this.injected.failDuring(service, operation, error, window);
  }

  /** Run `run` once simulated time reaches `at`, at that time (a timer of the virtual clock). */
  at(at: number, run: () => void): void {
    this.clock.at(at, run);
  }

  /** Move time forward, applying on the way everything that becomes due, each at its time. */
  advance(ms: number): void {
    this.clock.advance(ms);
  }

  /** Apply what is due now (time may also have been moved on the clock itself). */
  runDue(): void {
    this.clock.runDue();
  }

  /** Deterministic pseudo-random number in [0, 1) for the fault knobs (mulberry32). */
  random(): number {
    return this.faultRandom();
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
      cloudwatch: this.cloudwatch,
      kms: this.kms,
    };
  }

  private shouldThrottle(operation: string): boolean {
    const { throttleRate, throttleOperations } = this.faults;
    if (throttleRate <= 0) return false;
    if (throttleOperations.length > 0 && !throttleOperations.includes(operation)) return false;
    return this.random() < throttleRate;
  }
}
