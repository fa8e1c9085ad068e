import { AthenaClient } from '@aws-sdk/client-athena';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GlueClient } from '@aws-sdk/client-glue';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ClientConstructors, ServiceName } from '../shared/aws/clients';

/** Every client class: the simulator serves them all (it never ships in a Lambda zip). */
export const ALL_CLIENTS: ClientConstructors<ServiceName> = {
  ecs: ECSClient,
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
  autoscaling: AutoScalingClient,
  sqs: SQSClient,
  sns: SNSClient,
  glue: GlueClient,
  athena: AthenaClient,
};
