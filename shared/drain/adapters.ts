import type { AwsClients } from '../clients';
import { EcsAdapter } from '../ecs';
import { Elbv2Adapter } from '../elbv2';
import { publishJson } from '../queues';

/** The narrow AWS surface a drain acts through. */
export interface DrainAdapters {
  ecs: EcsAdapter;
  elbv2: Elbv2Adapter;
  publish: (topicArn: string, record: unknown) => Promise<string>;
}

export function drainAdapters(clients: AwsClients): DrainAdapters {
  return {
    ecs: new EcsAdapter(clients.ecs),
    elbv2: new Elbv2Adapter(clients.elbv2),
    publish: (topicArn, record) => publishJson(clients.sns, topicArn, record, 'ECS task interrupted'),
  };
}
