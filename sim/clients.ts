import { AthenaClient } from '@aws-sdk/client-athena';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GlueClient } from '@aws-sdk/client-glue';
import { KMSClient } from '@aws-sdk/client-kms';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { RetryStrategyV2 } from '@smithy/types';

/** One real SDK client per service the simulator models (the key is the simulator's service name). */
export interface SimClients {
  ecs: ECSClient;
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  autoscaling: AutoScalingClient;
  sqs: SQSClient;
  sns: SNSClient;
  glue: GlueClient;
  athena: AthenaClient;
  cloudwatch: CloudWatchClient;
  kms: KMSClient;
}
export type ServiceName = keyof SimClients;

/** Every client class: the simulator serves them all (it never ships in a Lambda zip). */
export const CLIENT_CLASSES: { [S in ServiceName]: new (config: object) => SimClients[S] } = {
  ecs: ECSClient,
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
  autoscaling: AutoScalingClient,
  sqs: SQSClient,
  sns: SNSClient,
  glue: GlueClient,
  athena: AthenaClient,
  cloudwatch: CloudWatchClient,
  kms: KMSClient,
};

export interface SimClientOptions {
  /** Attempts per call, first try included (default 8), for the default retry strategy. */
  maxAttempts?: number;
  /** Replaces the default strategy (the SDK's standard one, backing off in simulated time); shared by all clients. */
  retryStrategy?: RetryStrategyV2;
}

/** Where nothing real is reached: the account's middleware answers before the request would be sent. */
export const SIMULATED_ENDPOINT = 'https://simulated.invalid';

/**
 * Clients for one account, each built on first use. `strategyFor` gives each client its own
 * retry strategy (as the SDK does: a retry quota is per client); `attach` adds the answering
 * middleware.
 */
export function buildClients(options: {
  region: string;
  strategyFor: (service: ServiceName) => RetryStrategyV2;
  attach: (client: SimClients[ServiceName], service: ServiceName) => void;
}): SimClients {
  const config = (service: ServiceName) => ({
    region: options.region,
    endpoint: SIMULATED_ENDPOINT,
    credentials: { accessKeyId: 'SIMULATED', secretAccessKey: 'SIMULATED' },
    retryStrategy: options.strategyFor(service),
  });
  const built = new Map<ServiceName, SimClients[ServiceName]>();
  const clients = {} as SimClients;
  for (const service of Object.keys(CLIENT_CLASSES) as ServiceName[]) {
    Object.defineProperty(clients, service, {
      enumerable: true,
      get: () => {
        let client = built.get(service);
        if (!client) {
          client = new CLIENT_CLASSES[service](config(service));
          options.attach(client, service);
          built.set(service, client);
        }
        return client;
      },
    });
  }
  return clients;
}
