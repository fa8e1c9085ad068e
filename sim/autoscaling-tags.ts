import type { CreateOrUpdateTagsCommandInput, Tag } from '@aws-sdk/client-auto-scaling';
import type { OperationTable } from './account';
import type { GroupRecord } from './autoscaling-lifecycle';
import { simError } from './errors';
import { ASG_TAGS_PER_GROUP_MAX } from './limits';

/**
 * CreateOrUpdateTags on Auto Scaling groups: "If a tag with the same key already exists, the
 * operation overwrites the previous tag definition, and you do not get an error message."
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateOrUpdateTags.html
 * The request is checked whole before anything changes (one bad tag changes nothing).
 */
export class GroupTags {
  constructor(private readonly groups: Map<string, GroupRecord>) {}

  operations(): OperationTable {
    return {
      CreateOrUpdateTags: (input: CreateOrUpdateTagsCommandInput) => {
        const tags = input.Tags ?? [];
        for (const t of tags) this.check(t);
        for (const [name, wanted] of groupBy(tags)) {
          const g = this.groups.get(name)!;
          const keys = new Set([...g.tags.map((x) => x.key), ...wanted.map((t) => t.Key!)]);
          if (keys.size > ASG_TAGS_PER_GROUP_MAX) {
            // LimitExceeded is the documented error; its wording is assumed.
            throw simError('LimitExceeded', `The number of tags for ${name} would exceed the limit of ${ASG_TAGS_PER_GROUP_MAX}.`);
          }
        }
        for (const t of tags) {
          const g = this.groups.get(t.ResourceId!)!;
          const tag = { key: t.Key!, value: t.Value ?? '', propagateAtLaunch: t.PropagateAtLaunch ?? false };
          const at = g.tags.findIndex((x) => x.key === tag.key);
          if (at >= 0) g.tags[at] = tag;
          else g.tags.push(tag);
        }
        return {};
      },
    };
  }

  private check(t: Tag): void {
    if (!t.ResourceId || !t.ResourceType || !t.Key) {
      // As observed (boto/boto3#3098): "Incomplete tags information for these tags. Tag - 'Key:Lab,
      // PropagateAtLaunch:true,ResourceId:tfetest-tfe-asg,ResourceType:null' , ".
      const show = (v: unknown) => (v === undefined ? 'null' : String(v));
      throw simError(
        'ValidationError',
        `Incomplete tags information for these tags. Tag - 'Key:${show(t.Key)},PropagateAtLaunch:${show(t.PropagateAtLaunch)},ResourceId:${show(t.ResourceId)},ResourceType:${show(t.ResourceType)}' , `,
      );
    }
    // "ResourceType: The type of resource. The only supported value is auto-scaling-group." (API_Tag.html); wording assumed.
    if (t.ResourceType !== 'auto-scaling-group') throw simError('ValidationError', `Invalid resource type: ${t.ResourceType}`);
    // As observed (cloud-custodian/cloud-custodian#380): "AutoScalingGroup not found - AutoScaling Group xxx not found".
    if (!this.groups.has(t.ResourceId)) {
      throw simError('ValidationError', `AutoScalingGroup not found - AutoScaling Group ${t.ResourceId} not found`);
    }
  }
}

function groupBy(tags: Tag[]): Map<string, Tag[]> {
  const out = new Map<string, Tag[]>();
  for (const t of tags) out.set(t.ResourceId!, [...(out.get(t.ResourceId!) ?? []), t]);
  return out;
}
