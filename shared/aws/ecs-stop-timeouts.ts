import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { mapLimit } from '../lambda/concurrency';
import { sendOptions, type CallOptions } from './call';
import { reservationOf } from './ecs-capacity';

/** What preflight needs of a task definition: its longest container stop timeout and what one task reserves. */
export interface TaskDefinitionStopFacts {
  /** The largest `stopTimeout` of its containers; undefined when none sets one (the agent's ECS_CONTAINER_STOP_TIMEOUT applies). */
  stopTimeoutSeconds?: number;
  cpu: number;
  memory: number;
}

/** DescribeTaskDefinition calls in flight at once (ECS reads task definitions at a burst of 50, 20 a second). */
const DESCRIBE_TASK_DEFINITION_CONCURRENCY = 8;

/** ECS task definitions' stop timeouts and sizes, each revision described once per call. */
export class StopTimeoutsAdapter {
  constructor(private readonly ecs: ECSClient) {}

  async of(taskDefinitionArns: readonly string[], o?: CallOptions): Promise<Map<string, TaskDefinitionStopFacts>> {
    const out = new Map<string, TaskDefinitionStopFacts>();
    await mapLimit([...new Set(taskDefinitionArns)], DESCRIBE_TASK_DEFINITION_CONCURRENCY, async (arn) => {
      const res = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }), sendOptions(o));
      const td = res.taskDefinition;
      if (!td) return;
      const timeouts = (td.containerDefinitions ?? []).flatMap((c) => (c.stopTimeout !== undefined ? [c.stopTimeout] : []));
      out.set(arn, { ...(timeouts.length ? { stopTimeoutSeconds: Math.max(...timeouts) } : {}), ...reservationOf(td) });
    });
    return out;
  }
}
