/**
 * npm run invoke -- <function> [sample] [--sns] [--print] [sls options…]
 *
 * Runs one function locally (`sls invoke local`) on one of its samples from events/, made valid
 * for now: every time in it is moved so the newest is now (the Spot notice has its 2 minutes,
 * the lifecycle action its heartbeat, the log samples today's date), and the samples of
 * SQS-fed functions are wrapped as the SQS records Lambda hands them (the EventBridge event or
 * the launcher's message as the body; `--sns` puts a raw RunTask result in the SNS envelope it
 * has without raw message delivery). Against `npm run sim:endpoint` (AWS_ENDPOINT_URL on
 * loopback) the samples' ids are replaced by the seeded ones. `--print` prints the event only.
 * Other options go to sls, e.g. `--param "nlbTargets=…"` or `--stage prod`.
 */
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';

/** Each function's samples in events/, the default first. */
export const SAMPLES: Record<string, string[]> = {
  spotInterruption: ['spot-interruption.json', 'rebalance-recommendation.json'],
  asgLifecycleDrain: [
    'asg-lifecycle-terminate.json',
    'asg-lifecycle-drain-sqs.json',
    'asg-lifecycle-terminate-warm-pool.json',
    'asg-lifecycle-terminate-foreign-hook.json',
  ],
  scaleTick: ['scale-tick.json'],
  capacityWriter: ['capacity-writer-sqs.json'],
  runTaskFailure: ['run-task-result.json', 'run-task-result-sns.json', 'run-task-result-hako.json'],
  placementFailure: ['placement-failure.json'],
  logPartitions: ['log-partitions-daily.json', 'log-partitions-backfill.json'],
  logSearch: ['log-search.json'],
  agentHealth: ['agent-disconnected.json'],
  nlbTargetSync: ['container-instance-draining.json', 'spot-interruption.json'],
  logVolumes: ['log-volumes-scheduled.json'],
  preflight: ['preflight-request.json'],
};

/** The functions serverless.yml defines: `functions:` and the optional ones (`custom.optionalFunctions`). */
export function functionsInServerlessYml(): string[] {
  const lines = readFileSync(join(ROOT, 'serverless.yml'), 'utf8').split('\n');
  const keysUnder = (header: RegExp, indent: string) => {
    const start = lines.findIndex((l) => header.test(l));
    if (start < 0) return [];
    const keys: string[] = [];
    for (const line of lines.slice(start + 1)) {
      if (line.trim() && !line.startsWith(indent) && !line.trimStart().startsWith('#')) break;
      const m = new RegExp(`^${indent}([A-Za-z0-9]+):\\s*$`).exec(line);
      if (m) keys.push(m[1]!);
    }
    return keys;
  };
  return [...keysUnder(/^functions:/, '  '), ...keysUnder(/^ {2}optionalFunctions:/, '    ')];
}

/** Functions fed by an SQS queue (serverless.yml), and the queue's name after `ecs-steady-<stage>-`. */
const SQS_FED: Record<string, string> = {
  spotInterruption: 'spot-notices',
  asgLifecycleDrain: 'asg-drain',
  runTaskFailure: 'run-task-failure',
  placementFailure: 'placement-failure',
};

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const EPOCH_MS = /^\d{13}$/;
const DAY_MS = 86_400_000;

/** Every string in a value, JSON text inside strings (an SQS body, an SNS Message) included. */
function visitStrings(value: unknown, visit: (s: string) => string): unknown {
  if (typeof value === 'string') {
    if (/^\s*[[{]/.test(value)) {
      try {
        return JSON.stringify(visitStrings(JSON.parse(value), visit));
      } catch {
        // not JSON: an ordinary string
      }
    }
    return visit(value);
  }
  if (Array.isArray(value)) return value.map((v) => visitStrings(v, visit));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visitStrings(v, visit)]));
  return value;
}

/**
 * Move every time in a sample by one offset so the newest becomes `now` (offsets between them
 * kept: a placement's createdAt stays just before the event's time). Dates alone move by whole
 * days so the newest is today (UTC); epoch-millisecond strings (SQS SentTimestamp) move too.
 */
export function stampTimes<T>(event: T, now: number): T {
  const times: number[] = [];
  const dates: number[] = [];
  visitStrings(event, (s) => {
    if (ISO_TIME.test(s)) times.push(Date.parse(s));
    else if (ISO_DATE.test(s)) dates.push(Date.parse(`${s}T00:00:00Z`));
    return s;
  });
  const shift = times.length ? now - Math.max(...times) : 0;
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const dayShift = dates.length ? today - Math.max(...dates) : Math.round(shift / DAY_MS) * DAY_MS;
  const reference = times.length ? Math.max(...times) : undefined;
  return visitStrings(event, (s) => {
    if (ISO_TIME.test(s)) return new Date(Date.parse(s) + shift).toISOString();
    if (ISO_DATE.test(s)) return new Date(Date.parse(`${s}T00:00:00Z`) + dayShift).toISOString().slice(0, 10);
    if (EPOCH_MS.test(s) && reference !== undefined && Math.abs(Number(s) - reference) < 400 * DAY_MS) return String(Number(s) + shift);
    return s;
  }) as T;
}

/** Replace the ids a sample names with the ones an account holds (`*` for every sample, or this sample's file). */
export function rewriteIds<T>(event: T, sample: string, sampleIds: Record<string, Record<string, string>>): T {
  const pairs = Object.entries({ ...(sampleIds['*'] ?? {}), ...(sampleIds[sample] ?? {}) });
  if (pairs.length === 0) return event;
  return visitStrings(event, (s) => pairs.reduce((text, [from, to]) => text.split(from).join(to), s)) as T;
}

const isSqsEvent = (event: unknown) =>
  Array.isArray((event as { Records?: unknown[] }).Records) &&
  (event as { Records: Array<{ eventSource?: string }> }).Records.every((r) => r.eventSource === 'aws:sqs');

/** A message as SNS delivers it to SQS without raw message delivery. */
export function snsEnvelope(message: unknown, topicArn: string, now: number) {
  const id = randomUUID();
  return {
    Type: 'Notification',
    MessageId: id,
    TopicArn: topicArn,
    Message: JSON.stringify(message),
    Timestamp: new Date(now).toISOString(),
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: `https://sns.${REGION}.amazonaws.com/SimpleNotificationService-0000000000000000000000000000000.pem`,
    UnsubscribeURL: `https://sns.${REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:${id}`,
  };
}

/** One SQS record per body, as Lambda's SQS event source hands them to the function. */
export function sqsEvent(bodies: unknown[], queueName: string, now: number) {
  return {
    Records: bodies.map((b) => {
      const body = typeof b === 'string' ? b : JSON.stringify(b);
      return {
        messageId: randomUUID(),
        receiptHandle: `AQEB${randomUUID().replace(/-/g, '')}`,
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(now - 100),
          SenderId: 'AIDAIENQZJOLO23YVJ4VO',
          ApproximateFirstReceiveTimestamp: String(now),
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queueName}`,
        awsRegion: REGION,
      };
    }),
  };
}

export interface PrepareOptions {
  now?: number;
  stage?: string;
  /** Put a raw message in the SNS envelope before the SQS record (runTaskFailure without raw delivery). */
  sns?: boolean;
  sampleIds?: Record<string, Record<string, string>>;
}

/** The sample (a file name in events/ or a path), valid now, in the shape the function receives it. */
export function prepareEvent(fn: string, sample: string | undefined, options: PrepareOptions = {}): { sample: string; event: unknown } {
  const samples = SAMPLES[fn];
  if (!samples) throw new Error(`unknown function ${fn}; one of ${Object.keys(SAMPLES).join(', ')}`);
  const file = sample ?? samples[0]!;
  const path = file.includes('/') ? resolve(file) : join(ROOT, 'events', file.endsWith('.json') ? file : `${file}.json`);
  const now = options.now ?? Date.now();
  const stage = options.stage ?? 'dev';
  const name = basename(path);
  let event = rewriteIds(JSON.parse(readFileSync(path, 'utf8')) as unknown, name, options.sampleIds ?? {});
  event = stampTimes(event, now);
  const queue = SQS_FED[fn];
  if (!queue || isSqsEvent(event)) return { sample: name, event };
  const body = options.sns ? snsEnvelope(event, `arn:aws:sns:${REGION}:${ACCOUNT}:ecs-steady-${stage}-run-task-results`, now) : event;
  return { sample: name, event: sqsEvent([body], `ecs-steady-${stage}-${queue}`, now) };
}

/** What the loopback endpoint (npm run sim:endpoint) says the samples' ids stand for; nothing from elsewhere. */
export async function fetchSampleIds(endpoint = process.env.AWS_ENDPOINT_URL): Promise<Record<string, Record<string, string>>> {
  if (!endpoint || !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(endpoint)) return {};
  try {
    const res = await fetch(`${endpoint.replace(/\/$/, '')}/_sim/sample-ids`, { signal: AbortSignal.timeout(2_000) });
    return res.ok ? ((await res.json()) as Record<string, Record<string, string>>) : {};
  } catch {
    return {};
  }
}

export interface InvokeResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `sls invoke local -f <fn> -p <event file> …args`; output captured, or passed through with `inherit`. */
export function invokeLocal(
  fn: string,
  event: unknown,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; inherit?: boolean; timeoutMs?: number } = {},
) {
  const file = join(mkdtempSync(join(tmpdir(), 'ecs-steady-invoke-')), `${fn}.json`);
  writeFileSync(file, JSON.stringify(event, null, 2));
  return new Promise<InvokeResult>((done) => {
    // The local sls directly: npx would add a Node start (about a second on a busy 2-core machine) to every invocation.
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'sls'), ['invoke', 'local', '-f', fn, '-p', file, ...args], {
      cwd: ROOT,
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env, ...options.env },
      stdio: options.inherit ? 'inherit' : 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    // A function that never answers must not hang the smoke: killed (this child only) after timeoutMs.
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      done({ code: code ?? 1, stdout, stderr: signal ? `${stderr}\nkilled by ${signal} after ${options.timeoutMs} ms` : stderr });
    });
  });
}

/** The function's answer: the last JSON value `sls invoke local` printed (it pretty-prints it after the logs). */
export function parseAnswer(stdout: string): unknown {
  const lines = stdout.trimEnd().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!/^[[{"\d-]|^(true|false|null)$/.test(lines[i]!)) continue;
    try {
      return JSON.parse(lines.slice(i).join('\n'));
    } catch {
      // an inner line of the pretty-printed answer: keep going up
    }
  }
  throw new Error('no JSON answer in the output of sls invoke local');
}

async function main(argv: string[]) {
  const ours = new Set(['--sns', '--print']);
  const [fn, maybeSample, ...rest] = argv;
  if (!fn || fn.startsWith('-')) {
    console.error(
      `usage: npm run invoke -- <function> [sample] [--sns] [--print] [sls options]\nfunctions: ${Object.keys(SAMPLES).join(', ')}`,
    );
    process.exit(2);
  }
  const sample = maybeSample && !maybeSample.startsWith('-') ? maybeSample : undefined;
  const others = [...(sample ? [] : maybeSample ? [maybeSample] : []), ...rest];
  const stageAt = others.indexOf('--stage');
  const { event } = prepareEvent(fn, sample, {
    sns: others.includes('--sns'),
    stage: stageAt >= 0 ? others[stageAt + 1] : undefined,
    sampleIds: await fetchSampleIds(),
  });
  if (others.includes('--print')) {
    console.log(JSON.stringify(event, null, 2));
    return;
  }
  const { code } = await invokeLocal(
    fn,
    event,
    others.filter((a) => !ours.has(a)),
    { inherit: true },
  );
  process.exit(code);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
