/**
 * npx tsx scripts/preflight.ts [--live] [--cluster web]... [--prefix ecs-steady-prod] [--keep-alive 65] [--json out.json] [--strict]
 *
 * The preflight checks of functions/preflight, from a terminal. Without --live: against the
 * simulated account's demo (sim/builders-preflight.ts: a clean cluster and one with one instance of
 * each problem); no credentials, no network. With --live: against real AWS with the default
 * credential chain and region (AWS_PROFILE, AWS_REGION, …); it only reads. Prints the table;
 * --json writes `{ findings, clusters }` to a file ('-' = stdout, the table then goes to stderr);
 * --strict exits 1 when there is an error finding. Config comes from the same environment
 * variables as the function (docs/fleet.md, "preflight"), flags override them.
 */
import { writeFileSync } from 'node:fs';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { makeClients } from '../shared/aws/clients';
import { expectedAlarmNames, expectedQueueNames } from '../shared/fleet/preflight/checks-operations';
import { parsePreflightConfig } from '../shared/fleet/preflight/config';
import { countBySeverity } from '../shared/fleet/preflight/plan';
import { preflightPorts, type PreflightClients } from '../shared/fleet/preflight/ports';
import { runPreflight } from '../shared/fleet/preflight/run';
import { formatTable } from '../shared/fleet/preflight/table';
import { SimulatedAccount } from '../sim/account';
import { buildPreflightDemo } from '../sim/builders-preflight';

/** A live run gives up its reads after this long (each read still retries inside it). */
const LIVE_BUDGET_MS = 120_000;

const values = (name: string) => process.argv.flatMap((a, i) => (a === `--${name}` && process.argv[i + 1] ? [process.argv[i + 1]!] : []));
const value = (name: string) => values(name).at(-1);

async function main(): Promise<void> {
  const live = process.argv.includes('--live');
  const keepAlive = value('keep-alive');
  if (keepAlive !== undefined && !(Number.isInteger(Number(keepAlive)) && Number(keepAlive) > 0))
    throw new Error('--keep-alive needs whole seconds');
  const base = parsePreflightConfig({
    ...process.env,
    ...(live ? {} : { PREFLIGHT_STACK_PREFIX: process.env.PREFLIGHT_STACK_PREFIX ?? 'ecs-steady-demo' }),
  });
  const config = {
    ...base,
    ...(value('prefix') ? { stackPrefix: value('prefix')! } : {}),
    ...(keepAlive ? { appKeepAliveSeconds: Number(keepAlive) } : {}),
    clusters: values('cluster').length ? values('cluster') : base.clusters,
  };

  let clients: PreflightClients;
  if (live) {
    clients = makeClients({
      ecs: ECSClient,
      ec2: EC2Client,
      elbv2: ElasticLoadBalancingV2Client,
      autoscaling: AutoScalingClient,
      sqs: SQSClient,
      cloudwatch: CloudWatchClient,
    });
  } else {
    const account = new SimulatedAccount();
    // The demo stack lacks one dead-letter queue and one alarm, so both checks have something to say.
    buildPreflightDemo(account, {
      queues: expectedQueueNames(config).slice(0, -1),
      alarms: expectedAlarmNames(config).filter((a) => !a.endsWith('-scaleTick-errors')),
    });
    clients = account.clients();
  }

  const signal = live ? AbortSignal.timeout(LIVE_BUDGET_MS) : undefined;
  const result = await runPreflight(
    preflightPorts(clients),
    { clusters: config.clusters, settings: config },
    signal ? { signal } : undefined,
  );
  const json = value('json');
  const out = json === '-' ? process.stderr : process.stdout;
  out.write(
    `preflight ${live ? 'live' : 'on the simulated demo account'}: clusters ${result.clusters.join(', ') || '(none)'}, stack ${config.stackPrefix}\n\n`,
  );
  out.write(`${formatTable(result.findings, Math.max(120, process.stdout.columns || 160))}\n`);
  const body = JSON.stringify({ findings: result.findings, clusters: result.clusters }, null, 2);
  if (json === '-') process.stdout.write(`${body}\n`);
  else if (json) writeFileSync(json, `${body}\n`);
  if (process.argv.includes('--strict') && countBySeverity(result.findings).error > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exitCode = 2;
});
