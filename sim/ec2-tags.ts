import type { CreateTagsCommandInput } from '@aws-sdk/client-ec2';
import type { OperationTable } from './account';
import type { SimEc2 } from './ec2';
import { simError } from './errors';
import { EC2_CREATE_TAGS_RESOURCES_MAX } from './limits';

/**
 * "You can assign a maximum of 50 tags to each resource" (Tag restrictions,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions).
 */
const TAGS_PER_RESOURCE_MAX = 50;

/**
 * EC2 CreateTags on the resources the simulator holds: instances (`i-…`), EC2 Fleets (`fleet-…`)
 * and Spot Fleet requests (`sfr-…`). "If a tag key already exists for the resource, the value is
 * overwritten." The request is checked whole before anything changes.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTags.html
 */
export function tagOperations(ec2: SimEc2): OperationTable {
  return {
    CreateTags: (input: CreateTagsCommandInput) => {
      const ids = input.Resources ?? [];
      const tags = input.Tags ?? [];
      if (ids.length > EC2_CREATE_TAGS_RESOURCES_MAX) {
        throw simError('InvalidParameterValue', `The request may name at most ${EC2_CREATE_TAGS_RESOURCES_MAX} resources.`); // wording assumed
      }
      // Assumed wording; an empty key is refused ("Tag keys … cannot be empty" is not quoted by AWS).
      if (tags.some((t) => !t.Key)) throw simError('InvalidParameterValue', 'Tag key must not be empty.');
      const targets = ids.map((id) => tagsOf(ec2, id));
      for (const target of targets) {
        const keys = new Set([...Object.keys(target), ...tags.map((t) => t.Key!)]);
        // EC2 error codes: "TagLimitExceeded: You've reached the limit on the number of tags that you can assign to the specified resource."
        if (keys.size > TAGS_PER_RESOURCE_MAX) {
          throw simError(
            'TagLimitExceeded',
            "You've reached the limit on the number of tags that you can assign to the specified resource.",
          );
        }
      }
      for (const target of targets) for (const t of tags) target[t.Key!] = t.Value ?? '';
      return {};
    },
  };
}

/** The live tag map of one resource, or the error EC2 answers for an id it does not know. */
export function tagsOf(ec2: SimEc2, id: string): Record<string, string> {
  if (id.startsWith('i-')) {
    const inst = ec2.instance(id);
    if (!inst) throw simError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return inst.tags;
  }
  if (id.startsWith('fleet-')) {
    const f = ec2.fleets.fleet(id);
    // The code as observed (e.g. hashicorp/terraform-provider-aws); wording assumed, as in sim/ec2-fleet.ts.
    if (!f) throw simError('InvalidFleetId.NotFound', `The fleet ID '${id}' does not exist`);
    return f.tags;
  }
  if (id.startsWith('sfr-')) {
    const f = ec2.spotFleets.fleet(id);
    if (!f) throw simError('InvalidSpotFleetRequestId.NotFound', `The spot fleet request ID '${id}' does not exist`);
    return f.tags;
  }
  // A well-formed volume id (vol- and 8 or 17 hex digits); anything else is not a valid id (InvalidID below).
  if (/^vol-([0-9a-f]{8}|[0-9a-f]{17})$/.test(id)) {
    const v = ec2.volumes.volume(id);
    if (!v) throw simError('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
    return v.tags;
  }
  // EC2 error codes: "InvalidID: The specified ID for the resource you are trying to tag is not valid."
  throw simError('InvalidID', `The ID '${id}' is not valid`);
}
