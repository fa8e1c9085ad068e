import type { AwsClients } from '../aws/clients';
import { EcsAdapter } from '../aws/ecs-container-instances';
import { Elbv2Adapter } from '../aws/elbv2-targets';
import { publishJson } from '../aws/sqs-queues';

/** The narrow AWS surface a drain acts through. */
export interface DrainAdapters {
  ecs: EcsAdapter;
  elbv2: Elbv2Adapter;
  publish: (topicArn: string, record: unknown) => Promise<string>;
}

/** The clients a drain needs. */
export type DrainClients = Pick<AwsClients, 'ecs' | 'elbv2' | 'sns'>;

export function drainAdapters(clients: DrainClients): DrainAdapters {
  return {
    ecs: new EcsAdapter(clients.ecs),
    elbv2: new Elbv2Adapter(clients.elbv2),
    publish: (topicArn, record) => publishJson(clients.sns, topicArn, record, 'ECS task interrupted'),
  };
}
