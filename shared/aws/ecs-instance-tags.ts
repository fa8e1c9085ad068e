import { TagResourceCommand, UntagResourceCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { sendOptions, type CallOptions } from './call';

/** ECS resource tags on container instances: scaleTick's scale-in mark (memory only: a tag is never authority, docs/design/trust.md). */
export class EcsInstanceTagsAdapter {
  constructor(private readonly ecs: ECSClient) {}

  /** TagResource: create or overwrite tags on one container instance. */
  async tag(containerInstanceArn: string, tags: Record<string, string>, o?: CallOptions): Promise<void> {
    await this.ecs.send(
      new TagResourceCommand({ resourceArn: containerInstanceArn, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) }),
      sendOptions(o),
    );
  }

  /** UntagResource: remove tag keys from one container instance (a key it does not carry is no error). */
  async untag(containerInstanceArn: string, keys: readonly string[], o?: CallOptions): Promise<void> {
    await this.ecs.send(new UntagResourceCommand({ resourceArn: containerInstanceArn, tagKeys: [...keys] }), sendOptions(o));
  }
}
