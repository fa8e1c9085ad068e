import {
  ResourceNotFoundException,
  type GetTaskProtectionCommandInput,
  type ListTagsForResourceCommandInput,
  type TagResourceCommandInput,
  type UntagResourceCommandInput,
  type UpdateTaskProtectionCommandInput,
} from '@aws-sdk/client-ecs';
import type { OperationTable, SimulatedAccount } from './account';
import type { SimEcs } from './ecs';
import { checkMax, invalidParameter, type ContainerInstanceRecord } from './ecs-common';
import { ECS_TAGS_PER_RESOURCE, ECS_TASK_PROTECTION_MINUTES, ECS_TASK_PROTECTION_TASKS } from './limits';

const CONTAINER_INSTANCE_ARN = /^arn:aws[a-z-]*:ecs:[^:]+:\d+:container-instance\//;

/**
 * Resource tags on container instances (TagResource, UntagResource, ListTagsForResource) and
 * task scale-in protection (UpdateTaskProtection, GetTaskProtection). Tags on other ECS
 * resources are not modelled: the call is refused with a clear message.
 */
export class EcsTagsAndProtection {
  constructor(
    private readonly account: SimulatedAccount,
    private readonly ecs: SimEcs,
  ) {}

  operations(): OperationTable {
    return {
      TagResource: (input: TagResourceCommandInput) => {
        const ci = this.containerInstance(input.resourceArn);
        const tags = (ci.tags ??= new Map());
        for (const t of input.tags ?? []) {
          if (!t.key) throw invalidParameter('Tag keys must be between 1 and 128 characters.');
          tags.set(t.key, t.value ?? '');
        }
        if (tags.size > ECS_TAGS_PER_RESOURCE) throw invalidParameter(`A resource can have at most ${ECS_TAGS_PER_RESOURCE} tags.`);
        return {};
      },
      UntagResource: (input: UntagResourceCommandInput) => {
        const ci = this.containerInstance(input.resourceArn);
        for (const key of input.tagKeys ?? []) ci.tags?.delete(key);
        return {};
      },
      ListTagsForResource: (input: ListTagsForResourceCommandInput) => {
        const ci = this.containerInstance(input.resourceArn);
        return { tags: [...(ci.tags ?? new Map<string, string>())].map(([key, value]) => ({ key, value })) };
      },
      UpdateTaskProtection: (input: UpdateTaskProtectionCommandInput) => {
        const cluster = this.ecs.cluster(input.cluster).name;
        checkMax(ECS_TASK_PROTECTION_TASKS, input.tasks);
        const minutes = input.expiresInMinutes ?? ECS_TASK_PROTECTION_MINUTES.default;
        if (minutes < ECS_TASK_PROTECTION_MINUTES.min || minutes > ECS_TASK_PROTECTION_MINUTES.max)
          throw invalidParameter(
            `expiresInMinutes must be between ${ECS_TASK_PROTECTION_MINUTES.min} and ${ECS_TASK_PROTECTION_MINUTES.max}.`,
          );
        const now = this.account.clock.now();
        const protectedTasks = [];
        const failures = [];
        for (const ref of input.tasks ?? []) {
          const t = this.ecs.tasks.find(cluster, ref);
          if (!t || t.lastStatus === 'STOPPED') failures.push({ arn: ref, reason: 'MISSING' });
          // "This operation is only supported for tasks belonging to an Amazon ECS service. Invoking
          // this operation for a standalone task will result in an TASK_NOT_VALID failure."
          else if (!t.serviceName) failures.push({ arn: t.arn, reason: 'TASK_NOT_VALID' });
          else {
            if (input.protectionEnabled) t.protectedUntil = now + minutes * 60_000;
            else delete t.protectedUntil;
            protectedTasks.push(this.status(t.arn, t.protectedUntil, now));
          }
        }
        return { protectedTasks, failures };
      },
      GetTaskProtection: (input: GetTaskProtectionCommandInput) => {
        const cluster = this.ecs.cluster(input.cluster).name;
        checkMax(ECS_TASK_PROTECTION_TASKS, input.tasks);
        const now = this.account.clock.now();
        const protectedTasks = [];
        const failures = [];
        for (const ref of input.tasks ?? []) {
          const t = this.ecs.tasks.find(cluster, ref);
          if (!t || t.lastStatus === 'STOPPED') failures.push({ arn: ref, reason: 'MISSING' });
          else if (!t.serviceName) failures.push({ arn: t.arn, reason: 'TASK_NOT_VALID' });
          else protectedTasks.push(this.status(t.arn, t.protectedUntil, now));
        }
        return { protectedTasks, failures };
      },
    };
  }

  /** Seeding: tag a container instance as an operator (or the agent's tag propagation) would. */
  tagInstance(ec2InstanceId: string, tags: Record<string, string>): void {
    const ci = this.ecs.containerInstances.latestOf(ec2InstanceId);
    if (!ci) throw new Error(`tagInstance: ${ec2InstanceId} has no container instance`);
    ci.tags ??= new Map();
    for (const [k, v] of Object.entries(tags)) ci.tags.set(k, v);
  }

  private status(taskArn: string, until: number | undefined, now: number) {
    const on = until !== undefined && until > now;
    return { taskArn, protectionEnabled: on, ...(on ? { expirationDate: new Date(until) } : {}) };
  }

  private containerInstance(arn: string | undefined): ContainerInstanceRecord {
    if (!arn || !CONTAINER_INSTANCE_ARN.test(arn))
      throw invalidParameter(`The simulated account models tags on container instances only, got '${arn ?? ''}'.`);
    const ci = this.ecs.containerInstances.byArn(arn);
    // TagResource and friends answer ResourceNotFoundException "The specified resource wasn't found." (ECS API reference).
    if (!ci || ci.status === 'INACTIVE')
      throw new ResourceNotFoundException({ message: "The specified resource wasn't found.", $metadata: { httpStatusCode: 400 } });
    return ci;
  }
}
