import { DeleteAttributesCommand, PutAttributesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { sendOptions, type CallOptions } from './call';

/**
 * ECS custom attributes on container instances: records only a caller with ecs:PutAttributes can
 * write (agentHealth's disconnected-since and replace), unlike resource tags, which anyone with
 * ecs:TagResource can. DescribeContainerInstances returns them (EcsCapacityAdapter.describeInstances).
 * A container instance holds at most 10 custom attributes (AttributeLimitExceededException): ours are two.
 */
export class EcsAttributesAdapter {
  constructor(private readonly ecs: ECSClient) {}

  /** PutAttributes: create or overwrite attributes on one container instance (full ARN, so no targetType is needed). */
  async put(cluster: string, containerInstanceArn: string, attributes: Record<string, string>, o?: CallOptions): Promise<void> {
    await this.ecs.send(
      new PutAttributesCommand({
        cluster,
        attributes: Object.entries(attributes).map(([name, value]) => ({ name, value, targetId: containerInstanceArn })),
      }),
      sendOptions(o),
    );
  }

  /** DeleteAttributes: remove attributes by name ("specify the attribute name and target ID, but don't specify the value"). */
  async remove(cluster: string, containerInstanceArn: string, names: readonly string[], o?: CallOptions): Promise<void> {
    await this.ecs.send(
      new DeleteAttributesCommand({ cluster, attributes: names.map((name) => ({ name, targetId: containerInstanceArn })) }),
      sendOptions(o),
    );
  }
}
