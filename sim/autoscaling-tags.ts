import type { CreateOrUpdateTagsCommandInput, DescribeTagsCommandInput, Filter, Tag } from '@aws-sdk/client-auto-scaling';
import type { OperationTable } from './account';
import type { GroupRecord } from './autoscaling-lifecycle';
import { simError } from './errors';
import { ASG_DESCRIBE_MAX_RECORDS, ASG_TAGS_PER_GROUP_MAX, validationText } from './limits';
import { page } from './util';

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
      // https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeTags.html: filters auto-scaling-group,
      // key, value, propagate-at-launch; MaxRecords default 50, maximum 100.
      DescribeTags: (input: DescribeTagsCommandInput) => {
        const all = [...this.groups.values()].flatMap(describedTags);
        const matching = all.filter((t) => (input.Filters ?? []).every((f) => tagFilter(f, t)));
        const size = input.MaxRecords ?? 50;
        if (size < 1 || size > ASG_DESCRIBE_MAX_RECORDS)
          throw simError('ValidationError', validationText.tooLarge('maxRecords', size, 100));
        const { items, nextToken } = page(matching, input.NextToken, size, badToken);
        return { Tags: items, NextToken: nextToken };
      },
    };
  }

  /** DescribeAutoScalingGroups' Filters: tag:<key>, tag-key, tag-value. */
  static groupMatches(g: GroupRecord, f: Filter): boolean {
    const values = f.Values ?? [];
    const name = f.Name ?? '';
    if (name.startsWith('tag:')) return g.tags.some((t) => t.key === name.slice(4) && values.includes(t.value));
    if (name === 'tag-key') return g.tags.some((t) => values.includes(t.key));
    if (name === 'tag-value') return g.tags.some((t) => values.includes(t.value));
    throw simError('ValidationError', `Filter name '${name}' is not supported.`); // assumed wording
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

/** A group's tags as DescribeTags and DescribeAutoScalingGroups answer them. */
export function describedTags(g: GroupRecord) {
  return g.tags.map((t) => ({
    ResourceId: g.name,
    ResourceType: 'auto-scaling-group',
    Key: t.key,
    Value: t.value,
    PropagateAtLaunch: t.propagateAtLaunch,
  }));
}

function tagFilter(f: Filter, t: { ResourceId: string; Key: string; Value: string; PropagateAtLaunch: boolean }): boolean {
  const values = f.Values ?? [];
  if (f.Name === 'auto-scaling-group') return values.includes(t.ResourceId);
  if (f.Name === 'key') return values.includes(t.Key);
  if (f.Name === 'value') return values.includes(t.Value);
  if (f.Name === 'propagate-at-launch') return values.includes(String(t.PropagateAtLaunch));
  throw simError('ValidationError', `Filter name '${f.Name}' is not supported.`); // assumed wording
}

const badToken = () => simError('InvalidNextToken', 'The token is invalid.');
