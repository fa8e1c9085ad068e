/**
 * npm run sim:endpoint [-- --port 4599]
 *
 * Serves the simulated AWS account over HTTP on 127.0.0.1, for the services that speak
 * the AWS JSON protocol (ECS, SQS, Glue, Athena), so `sls invoke local` can run against it
 * with AWS_ENDPOINT_URL — offline, no credentials. The query-protocol services (ELBv2,
 * Auto Scaling, EC2, SNS) are not served: use LocalStack or a real account for those.
 * Seeded with the demo cluster `web` (buildSpotCluster); prints its instance ids.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { ServiceName } from '../shared/aws/clients';
import { SimulatedAccount } from '../sim/account';
import { buildSpotCluster } from '../sim/builders';

const TARGET_PREFIX: Record<string, ServiceName> = {
  AmazonEC2ContainerServiceV20141113: 'ecs',
  AmazonSQS: 'sqs',
  AWSGlue: 'glue',
  AmazonAthena: 'athena',
};

/** JSON protocol timestamps are epoch seconds. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k, v]) => v !== undefined && k !== '$metadata')
        .map(([k, v]) => [k, toWire(v)]),
    );
  }
  return value;
}

export function serve(account: SimulatedAccount, port: number) {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const [prefix, operation] = target.split('.');
      const service = TARGET_PREFIX[prefix ?? ''];
      const reply = (status: number, body: unknown, errorType?: string) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
        res.end(JSON.stringify(body));
      };
      if (!service || !operation) {
        reply(
          400,
          {
            __type: 'UnknownOperationException',
            message: `not served by the simulated endpoint: ${target || req.headers['content-type']}`,
          },
          'UnknownOperationException',
        );
        return;
      }
      try {
        const input = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        const output = await account.call(service, operation, input);
        process.stderr.write(`[sim] ${service}.${operation}\n`);
        reply(200, toWire(output));
      } catch (err) {
        const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
        process.stderr.write(`[sim] ${service}.${operation} → ${e.name}\n`);
        reply(e.$metadata?.httpStatusCode ?? 400, { __type: e.name, message: e.message }, e.name);
      }
    });
  }).listen(port, '127.0.0.1');
}

if (require.main === module) {
  const i = process.argv.indexOf('--port');
  const port = i >= 0 ? Number(process.argv[i + 1]) : 4599;
  const account = new SimulatedAccount({ start: Date.now() });
  // Served over HTTP, the virtual clock follows real time, so rate buckets refill and timers fire.
  setInterval(() => account.clock.set(Date.now()), 250).unref();
  const c = buildSpotCluster(account);
  account.sqs.createQueue('ecs-steady-dev-dead-letter');
  account.sqs.createQueue('ecs-steady-dev-asg-drain');
  serve(account, port);
  console.log(`simulated account on http://127.0.0.1:${port} (ECS, SQS, Glue, Athena)`);
  console.log(`cluster ${c.cluster}: ${c.instances.map((x) => x.instanceId).join(', ')}`);
  console.log(
    `try: AWS_ENDPOINT_URL=http://127.0.0.1:${port} AWS_ACCESS_KEY_ID=sim AWS_SECRET_ACCESS_KEY=sim npx sls invoke local -f spotInterruption -p events/spot-interruption.json`,
  );
}
