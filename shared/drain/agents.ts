import { AGENT_TAG } from '../tags';
import { serviceNameOf } from './targets';
import type { EcsTask } from './types';

/*
 * Tasks that are part of the instance rather than work on it: a DAEMON service's task (one per
 * instance: ECS places it on every ACTIVE instance) and a standalone agent or log router
 * (dd-agent, fluentd started with StartTask at boot). They are stopped last by a drain, after
 * every task whose logs they carry; a standalone agent is never re-queued and never keeps an
 * instance from scale-in. A mark only ever keeps a task longer, so trusting the tag is safe.
 */

/** The family of a task definition ARN (`…:task-definition/family:revision`) or of a `family:revision` reference. */
export function familyOf(taskDefinitionArn: string | undefined): string | undefined {
  const ref = taskDefinitionArn?.slice(taskDefinitionArn.lastIndexOf('/') + 1);
  return ref ? ref.replace(/:\d+$/, '') : undefined;
}

/**
 * A standalone task that is a per-instance agent: its family is one of `agentFamilies`, or it
 * carries `ecs-steady:agent = true` (DescribeTasks with include TAGS). A service task never is.
 */
export function isAgentTask(task: Pick<EcsTask, 'group' | 'taskDefinitionArn' | 'tags'>, agentFamilies: readonly string[]): boolean {
  if (serviceNameOf(task)) return false;
  const family = familyOf(task.taskDefinitionArn);
  if (family !== undefined && agentFamilies.includes(family)) return true;
  return (task.tags ?? []).some((t) => t.key === AGENT_TAG && t.value?.toLowerCase() === 'true');
}
