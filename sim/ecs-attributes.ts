import {
  AttributeLimitExceededException,
  TargetNotFoundException,
  type Attribute,
  type DeleteAttributesCommandInput,
  type PutAttributesCommandInput,
} from '@aws-sdk/client-ecs';
import type { OperationTable } from './account';
import type { SimEcs } from './ecs';
import { checkMax, invalidParameter, type ContainerInstanceRecord } from './ecs-common';
import { ECS_ATTRIBUTES_PER_CALL, ECS_CUSTOM_ATTRIBUTES_PER_RESOURCE } from './limits';

const meta = () => ({ httpStatusCode: 400, requestId: 'sim', attempts: 1, totalRetryDelay: 0 });

/**
 * ECS API Reference, Attribute: "The name must contain between 1 and 128 characters. The name
 * may contain letters (uppercase and lowercase), numbers, hyphens (-), underscores (_), forward
 * slashes (/), back slashes (\), or periods (.)." — no colon.
 */
const NAME = /^[A-Za-z0-9_\-/\\.]{1,128}$/;
/**
 * "The value must contain between 1 and 128 characters. It can contain letters (uppercase and
 * lowercase), numbers, hyphens (-), underscores (_), periods (.), at signs (@), forward slashes
 * (/), back slashes (\), colons (:), or spaces. The value can't start or end with a space."
 */
const VALUE = /^(?! )[A-Za-z0-9_\-.@/\\: ]{1,128}(?<! )$/;
/** The attributes ECS sets itself start with `ecs.`; PutAttributes is for custom ones. */
const RESERVED_PREFIX = 'ecs.';

/**
 * Custom attributes on container instances (PutAttributes, DeleteAttributes); DescribeContainerInstances
 * returns them with ECS's own (sim/ecs-container-instances.ts). `targetType` has one valid value,
 * `container-instance`, "required if you use the short form ID for a resource instead of the full ARN".
 * A writer needs ecs:PutAttributes — tagging rights alone cannot set one.
 */
export class EcsAttributes {
  constructor(private readonly ecs: SimEcs) {}

  operations(): OperationTable {
    return {
      PutAttributes: (input: PutAttributesCommandInput) => {
        const cluster = this.ecs.cluster(input.cluster).name;
        const attrs = input.attributes ?? [];
        if (attrs.length === 0) throw invalidParameter('attributes can not be empty.');
        checkMax(ECS_ATTRIBUTES_PER_CALL, attrs);
        const targets = attrs.map((a) => this.target(cluster, a, true));
        // All or nothing: check every target's count before writing any.
        const after = new Map<ContainerInstanceRecord, Set<string>>();
        attrs.forEach((a, i) => {
          const ci = targets[i]!;
          const names = after.get(ci) ?? new Set(ci.attributes?.keys() ?? []);
          names.add(a.name!);
          after.set(ci, names);
        });
        for (const names of after.values())
          if (names.size > ECS_CUSTOM_ATTRIBUTES_PER_RESOURCE)
            throw new AttributeLimitExceededException({
              message: `You can apply up to ${ECS_CUSTOM_ATTRIBUTES_PER_RESOURCE} custom attributes for each resource.`,
              $metadata: meta(),
            });
        attrs.forEach((a, i) => (targets[i]!.attributes ??= new Map()).set(a.name!, a.value!));
        return { attributes: attrs };
      },
      DeleteAttributes: (input: DeleteAttributesCommandInput) => {
        const cluster = this.ecs.cluster(input.cluster).name;
        const attrs = input.attributes ?? [];
        if (attrs.length === 0) throw invalidParameter('attributes can not be empty.');
        checkMax(ECS_ATTRIBUTES_PER_CALL, attrs);
        // "For custom attributes, specify the attribute name and target ID, but don't specify the value."
        const targets = attrs.map((a) => this.target(cluster, a, false));
        // Deleting an attribute the target does not carry is not documented as an error: modelled as a no-op.
        attrs.forEach((a, i) => targets[i]!.attributes?.delete(a.name!));
        return { attributes: attrs };
      },
    };
  }

  private target(cluster: string, a: Attribute, withValue: boolean): ContainerInstanceRecord {
    if (!a.name || !NAME.test(a.name) || a.name.startsWith(RESERVED_PREFIX))
      throw invalidParameter(`Invalid attribute name '${a.name ?? ''}'.`);
    if (withValue && (a.value === undefined || !VALUE.test(a.value))) throw invalidParameter(`Invalid attribute value '${a.value ?? ''}'.`);
    const id = a.targetId ?? '';
    if (!id.startsWith('arn:') && a.targetType !== 'container-instance')
      throw invalidParameter('targetType is required when targetId is not a full ARN.');
    const ci = this.ecs.containerInstances.get(cluster, id);
    if (!ci || ci.status === 'INACTIVE')
      throw new TargetNotFoundException({
        message:
          "The specified target wasn't found. You can view your available container instances with ListContainerInstances. Amazon ECS container instances are cluster-specific and Region-specific.",
        $metadata: meta(),
      });
    return ci;
  }
}
