/**
 * npm run sim:endpoint [-- --port 4599] [--quiet]
 *
 * Serves the simulated AWS account over HTTP on 127.0.0.1 — every service the functions call,
 * each in the protocol its SDK client speaks (EC2's query, awsQuery for Auto Scaling, ELBv2 and
 * SNS, JSON for ECS, SQS, Glue, Athena and CloudWatch) — so `sls invoke local` runs offline
 * against it with AWS_ENDPOINT_URL. Seeded with what the samples in events/ refer to
 * (sim/http/seed.ts); `npm run invoke` maps the samples' ids to the seeded ones.
 */
import { createSimServer, listen } from '../sim/http/server';
import { sampleAccount } from '../sim/http/seed';

/** Served over HTTP, the virtual clock follows real time, so rate buckets refill and timers fire. */
export function startSampleEndpoint(options: { port?: number; log?: (line: string) => void } = {}) {
  const { account, world } = sampleAccount(Date.now());
  const timer = setInterval(() => account.clock.set(Math.max(account.clock.now(), Date.now())), 250);
  timer.unref();
  const server = createSimServer(account, { log: options.log, sampleIds: () => world.sampleIds });
  return listen(server, options.port ?? 0).then((port) => ({
    account,
    world,
    port,
    url: `http://127.0.0.1:${port}`,
    /** The `--param` values the optional functions need against this account. */
    params: { nlbTargets: `web=${world.web.fluentdTargetGroupArn}:24224`, logsBucket: world.logsBucket },
    close: () => {
      clearInterval(timer);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  }));
}

if (require.main === module) {
  const i = process.argv.indexOf('--port');
  const quiet = process.argv.includes('--quiet');
  startSampleEndpoint({
    port: i >= 0 ? Number(process.argv[i + 1]) : 4599,
    log: quiet ? undefined : (l) => process.stderr.write(`[sim] ${l}\n`),
  })
    .then(({ url, world, params }) => {
      console.log(`simulated account on ${url} (EC2, Auto Scaling, ELBv2, SNS, CloudWatch, ECS, SQS, Glue, Athena)`);
      console.log(
        `cluster web: Spot ${world.web.instances.map((x) => x.instanceId).join(', ')}; on-demand ${world.web.asgInstances.join(', ')}`,
      );
      console.log(
        `cluster batch: ${world.batch.instances.map((x) => x.instanceId).join(', ')} (Auto Scaling group ${world.batch.asgName})`,
      );
      console.log(`params for the optional functions: --param "nlbTargets=${params.nlbTargets}" --param "logsBucket=${params.logsBucket}"`);
      console.log(`try: AWS_ENDPOINT_URL=${url} npm run invoke -- spotInterruption`);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
