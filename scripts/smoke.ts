/**
 * npm run smoke [-- --only fnA,fnB]
 *
 * Every function in serverless.yml, run the way an operator runs it: `sls invoke local` (the
 * bundled handler, the real Powertools logger and metrics) on each of its samples from events/
 * (stamped with now, SQS-wrapped where SQS feeds it: scripts/invoke.ts), against the simulated
 * account over HTTP (scripts/sim-endpoint.ts, in this process). Each answer is checked, and so
 * is what the account shows afterwards (a lifecycle action completed, desired raised, a volume
 * deleted…). One line per invocation, then `smoke: N passed, M failed`; exits 1 on any failure.
 * Two invocations run at a time, in two lanes that touch different things.
 */
import type { SimulatedAccount } from '../sim/account';
import type { SeededWorld } from '../sim/http/seed';
import { functionsInServerlessYml, invokeLocal, parseAnswer, prepareEvent, SAMPLES } from './invoke';
import { startSampleEndpoint } from './sim-endpoint';
import { runEmptyAccountCases } from './smoke-empty';

type Answer = Record<string, any>;
interface Ctx {
  account: SimulatedAccount;
  world: SeededWorld;
}
interface Case {
  fn: string;
  sample: string;
  /** Read before the invocation, handed to `check` (e.g. desired capacity before a scale-out). */
  before?: (c: Ctx) => unknown;
  /** Undefined when the answer and the account are as they should be; else what is wrong. */
  check: (answer: Answer, c: Ctx, before: unknown) => string | undefined;
}

const DLQ = 'dead-letter';
/** Far above any invocation seen (5-28 s on a loaded 2-core machine): only a hung one reaches it. */
const INVOCATION_TIMEOUT_MS = 120_000;
const messagesIn = (c: Ctx, queue: string) => c.account.sqs.messages(c.world.queues[queue]!).length;
const asgDesired = (c: Ctx, name: string) => c.account.autoscaling.groupState(name).desired;
const expect = (ok: boolean, why: string) => (ok ? undefined : why);
const first = (...checks: Array<string | undefined>) => checks.find((x) => x !== undefined);
const noBatchFailures = (a: Answer) =>
  expect(
    Array.isArray(a.batchItemFailures) && a.batchItemFailures.length === 0,
    `batchItemFailures ${JSON.stringify(a.batchItemFailures)}`,
  );

const lifecycleCompleted = (sample: string): Case => ({
  fn: 'asgLifecycleDrain',
  sample,
  check: (a, c) => {
    const action = c.account.autoscaling.lifecycleAction(c.world.lifecycleTokens[sample]!);
    return first(
      noBatchFailures(a),
      expect(action?.result === 'CONTINUE', `lifecycle action ${JSON.stringify(action?.result)}, not CONTINUE`),
    );
  },
});

const scaledOut = (fn: string, sample: string, read: (c: Ctx) => number, what: string): Case => ({
  fn,
  sample,
  before: read,
  check: (a, c, before) =>
    first(
      noBatchFailures(a),
      expect(messagesIn(c, DLQ) === 0, 'a message was dead-lettered'),
      expect(read(c) > (before as number), `${what} stayed ${before}`),
    ),
});

const CAPACITY = 'capacity.fifo';
/** A trigger that validates and forwards: nothing failed or dead-lettered, a message in its cluster's group of the capacity queue. */
const forwarded = (fn: string, sample: string, cluster: string): Case => ({
  fn,
  sample,
  before: (c) => messagesIn(c, CAPACITY),
  check: (a, c, before) =>
    first(
      noBatchFailures(a),
      expect(messagesIn(c, DLQ) === 0, 'a message was dead-lettered'),
      expect(messagesIn(c, CAPACITY) > (before as number), 'nothing reached the capacity queue'),
      expect(c.account.sqs.messages(c.world.queues[CAPACITY]!).at(-1)?.groupId === cluster, `not in the ${cluster} group`),
    ),
});

const today = () => new Date().toISOString().slice(0, 10).split('-');

/** Lane A: the drains and the fleet functions (cluster web's instances). */
const LANE_A: Case[] = [
  {
    // rebalanceRecommendations is off by default: acknowledged, nothing dead-lettered, nothing changed (before the notice below).
    fn: 'spotInterruption',
    sample: 'rebalance-recommendation.json',
    check: (a, c) => {
      const id = c.world.web.instances[0]!.instanceId;
      return first(
        noBatchFailures(a),
        expect(messagesIn(c, DLQ) === 0, 'a message was dead-lettered'),
        expect(c.account.ecs.containerInstanceRecord(id)?.status === 'ACTIVE', 'the instance is not ACTIVE'),
        expect((c.account.ecs.containerInstanceRecord(id)?.attributes?.size ?? 0) === 0, 'a mark was written'),
      );
    },
  },
  {
    fn: 'spotInterruption',
    sample: 'spot-interruption.json',
    check: (a, c) => {
      const id = c.world.web.instances[0]!.instanceId;
      const running = c.account.ecs.tasksOn(id).filter((t) => (t as { lastStatus?: string }).lastStatus === 'RUNNING');
      // The answer is the SQS batch response (the drain report is logged): the account shows the drain.
      return first(
        noBatchFailures(a),
        expect(c.account.ecs.containerInstanceRecord(id)?.status === 'DRAINING', 'the instance is not DRAINING'),
        expect(running.length === 0, `${running.length} tasks still RUNNING on it`),
      );
    },
  },
  lifecycleCompleted('asg-lifecycle-terminate.json'),
  lifecycleCompleted('asg-lifecycle-drain-sqs.json'),
  lifecycleCompleted('asg-lifecycle-terminate-warm-pool.json'),
  {
    fn: 'asgLifecycleDrain',
    sample: 'asg-lifecycle-terminate-foreign-hook.json',
    before: (c) => c.account.calls.filter((x) => x.operation === 'CompleteLifecycleAction').length,
    check: (a, c, before) =>
      first(
        noBatchFailures(a),
        expect(messagesIn(c, DLQ) === 0, 'a message was dead-lettered'),
        expect(
          c.account.calls.filter((x) => x.operation === 'CompleteLifecycleAction').length === before,
          'another team’s action was completed',
        ),
      ),
  },
  {
    fn: 'agentHealth',
    sample: 'agent-disconnected.json',
    check: (a, c) => {
      const id = c.world.web.instances[1]!.instanceId;
      const web = (a.clusters as Answer[] | undefined)?.find((x) => x.cluster === 'web');
      // agentHealth's records are custom attributes (PutAttributes), never tags (docs/design/trust.md).
      const records = [...(c.account.ecs.containerInstanceRecord(id)?.attributes?.keys() ?? [])];
      return first(
        expect(web?.disconnected === 1, `web: ${JSON.stringify(web?.disconnected)} disconnected, not 1`),
        expect(
          records.some((k) => k.includes('disconnected')),
          `no disconnected-since record on ${id}: ${records.join(', ')}`,
        ),
      );
    },
  },
  ...['container-instance-draining.json', 'spot-interruption.json'].map((sample): Case => ({
    fn: 'nlbTargetSync',
    sample,
    check: (a, c) => {
      const binding = (a.bindings as Answer[] | undefined)?.[0];
      const active = new Set(
        c.account.ecs
          .containerInstancesOf('web')
          .filter((ci) => ci.status === 'ACTIVE')
          .map((ci) => c.account.ec2.instance(ci.ec2InstanceId)?.privateIp),
      );
      const targets = c.account.elbv2.currentTargets(c.world.web.fluentdTargetGroupArn).filter((t) => t.state !== 'draining');
      return first(
        expect(binding?.outcome === 'synced', `binding ${JSON.stringify(binding?.outcome)}: ${JSON.stringify(binding?.failures)}`),
        expect(targets.length > 0 && targets.every((t) => active.has(t.id) && t.port === 24224), 'targets are not the ACTIVE instances'),
      );
    },
  })),
  {
    fn: 'preflight',
    sample: 'preflight-request.json',
    check: (a) => {
      const unread = (a.findings as Answer[] | undefined)?.filter((f) => f.check === 'read') ?? [];
      return first(
        expect(Array.isArray(a.findings), 'no findings list'),
        expect(unread.length === 0, `reads failed: ${unread.map((f) => `${f.subject}: ${f.detail}`).join('; ')}`),
      );
    },
  },
];

/** Lane B: capacity (clusters batch and web's backends) and logs. */
const LANE_B: Case[] = [
  forwarded('runTaskFailure', 'run-task-result-sns.json', 'batch'),
  forwarded('runTaskFailure', 'run-task-result.json', 'batch'),
  forwarded('runTaskFailure', 'run-task-result-hako.json', 'batch'),
  forwarded('placementFailure', 'placement-failure.json', 'web'),
  {
    fn: 'scaleTick',
    sample: 'scale-tick.json',
    before: (c) => messagesIn(c, CAPACITY),
    check: (a, c, before) =>
      first(
        expect(JSON.stringify([...((a.queued as string[] | undefined) ?? [])].sort()) === '["batch","web"]', `queued: ${a.queued}`),
        expect(messagesIn(c, CAPACITY) > (before as number), 'no tick reached the capacity queue'),
      ),
  },
  scaledOut('capacityWriter', 'capacity-writer-sqs.json', (c) => asgDesired(c, c.world.batch.asgName), 'batch desired'),
  {
    fn: 'logPartitions',
    sample: 'log-partitions-daily.json',
    check: (a, c) => {
      const [y, m, d] = today();
      const parts = c.account.glue.partitions('container_logs', 'my_awesome_app_app').map((p) => (p.Values ?? []).join('-'));
      return first(
        expect(a.tables?.failed?.length === 0 && a.partitions?.failed?.length === 0, 'tables or partitions failed'),
        expect(a.tables?.created?.includes('my_awesome_app_app') === true, `tables created: ${a.tables?.created}`),
        expect(
          parts.some((p) => p === `${y}-${m}-${d}` || p === `${y}-${Number(m)}-${Number(d)}`),
          `no partition for today: ${parts.join(', ')}`,
        ),
      );
    },
  },
  {
    fn: 'logPartitions',
    sample: 'log-partitions-backfill.json',
    before: (c) => c.account.glue.partitionCount('container_logs'),
    check: (_a, c, before) => expect(c.account.glue.partitionCount('container_logs') > (before as number), 'no partition was added'),
  },
  {
    fn: 'logSearch',
    sample: 'log-search.json',
    check: (a, c) =>
      first(
        expect(a.status === 'SUCCEEDED', `status ${a.status}`),
        expect((a.rows as Answer[] | undefined)?.[0]?.log?.includes('ERROR') === true, 'no ERROR row'),
        expect(
          c.account.athena.lastExecution()?.workGroup === 'ecs-steady-dev-log-search',
          'the query did not run in the log search workgroup',
        ),
      ),
  },
  {
    fn: 'logVolumes',
    sample: 'log-volumes-scheduled.json',
    check: (a, c) => {
      const volume = c.account.ec2.volumes.volume(c.world.logVolumeId);
      return first(
        expect((a.deleted as string[] | undefined)?.includes(c.world.logVolumeId) === true, `not deleted: ${JSON.stringify(a.decisions)}`),
        expect(!volume || volume.state === 'deleting' || volume.state === 'deleted', `the volume is ${volume?.state}`),
      );
    },
  },
];

async function runCase(k: Case, ctx: Ctx, env: NodeJS.ProcessEnv, params: string[]): Promise<boolean> {
  const started = Date.now();
  const before = k.before?.(ctx);
  const { event } = prepareEvent(k.fn, k.sample, { sampleIds: ctx.world.sampleIds });
  const out = await invokeLocal(k.fn, event, params, { env, timeoutMs: INVOCATION_TIMEOUT_MS });
  let why: string | undefined;
  let answer: Answer | undefined;
  try {
    answer = parseAnswer(out.stdout) as Answer;
  } catch {
    why = `no answer (exit ${out.code}): ${(out.stderr + out.stdout).trim().split('\n').slice(-3).join(' | ')}`;
  }
  if (!why && answer?.errorType) why = `${answer.errorType}: ${answer.errorMessage}`;
  if (!why && out.code !== 0) why = `exit ${out.code}`;
  if (!why) {
    try {
      why = k.check(answer!, ctx, before);
    } catch (err) {
      why = `check threw: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${why ? 'FAIL' : 'ok  '} ${k.fn} ${k.sample} (${secs} s)${why ? `: ${why}` : ''}`);
  return !why;
}

async function main() {
  const started = Date.now();
  const endpoint = await startSampleEndpoint();
  const env = {
    AWS_ENDPOINT_URL: endpoint.url,
    AWS_ACCESS_KEY_ID: 'sim',
    AWS_SECRET_ACCESS_KEY: 'sim',
    AWS_REGION: 'eu-west-1',
    AWS_PROFILE: '',
  };
  const params = [
    '--param',
    `nlbTargets=${endpoint.params.nlbTargets}`,
    '--param',
    `logsBucket=${endpoint.params.logsBucket}`,
    '--param',
    'logVolumesDryRun=false',
    // Drains read target health every second instead of every 5: the same drain, seconds sooner.
    '--param',
    'drainPollSeconds=1',
  ];
  const covered = new Set([...LANE_A, ...LANE_B].map((k) => `${k.fn}/${k.sample}`));
  const unknown = functionsInServerlessYml()
    .filter((fn) => !SAMPLES[fn])
    .map((fn) => `${fn}: no sample`);
  const missing = Object.entries(SAMPLES).flatMap(([fn, samples]) =>
    samples.filter((s) => !covered.has(`${fn}/${s}`)).map((s) => `${fn}/${s}`),
  );
  const ctx = { account: endpoint.account, world: endpoint.world };
  const lane = async (cases: Case[]) => {
    const results: boolean[] = [];
    for (const k of cases) results.push(await runCase(k, ctx, env, params));
    return results;
  };
  // --only: a developer's quick run of some functions; the sample coverage check is then skipped.
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((process.argv[onlyAt + 1] ?? '').split(',')) : undefined;
  const pick = (cases: Case[]) => cases.filter((k) => !only || only.has(k.fn));
  const results = (await Promise.all([lane(pick(LANE_A)), lane(pick(LANE_B))])).flat();
  if (!only || only.has('logVolumes')) results.push(...(await runEmptyAccountCases(env, params, INVOCATION_TIMEOUT_MS)));
  const gaps = only ? [] : [...unknown, ...missing];
  for (const m of gaps) console.log(`FAIL ${m}: not run by the smoke`);
  await endpoint.close();
  const passed = results.filter((r) => r).length;
  const failed = results.length - passed + gaps.length;
  console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s)`);
  console.log(`smoke: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  console.log('smoke: 0 passed, 1 failed');
  process.exit(1);
});
