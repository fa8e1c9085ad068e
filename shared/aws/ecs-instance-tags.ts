import { UntagResourceCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { sendOptions, type CallOptions } from './call';

/**
 * ECS resource tags on container instances. We write none: retire's mark is an attribute
 * (ecs-attributes.ts). Only the last release's scale-in tag is still removed, for one release, by
 * capacityWriter (a tag is never authority, docs/design/trust.md).
 */
export class EcsInstanceTagsAdapter {
  constructor(private readonly ecs: ECSClient) {}

  /** UntagResource: remove tag keys from one container instance (a key it does not carry is no error). */
  async untag(containerInstanceArn: string, keys: readonly string[], o?: CallOptions): Promise<void> {
    await this.ecs.send(new UntagResourceCommand({ resourceArn: containerInstanceArn, tagKeys: [...keys] }), sendOptions(o));
  }
}
