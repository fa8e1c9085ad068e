import * as z from 'zod';
import { EventValidationError } from '../../lambda/errors';
import { clusterName, hasKey, type LauncherFormat, type TaskShortfall } from './types';

/**
 * Cookpad's hako (`hako oneshot`, ECS scheduler with `autoscaling_topic_for_oneshot`). When
 * RunTask starts no task, hako publishes to that SNS topic, in lib/hako/schedulers/ecs.rb
 * (`try_scale_out_with_sns`, github.com/eagletmt/hako):
 *
 *   JSON.dump(group_name: @autoscaling_group_for_oneshot, cluster: @cluster,
 *             cpu: required_cpu, memory: required_memory, hako_task_id: @hako_task_id)
 *
 * - `cpu`, `memory`: the sums over the task's containers of `cpu` and of `memory_reservation || memory`;
 * - `hako_task_id`: `SecureRandom.uuid`, made once per oneshot (`@hako_task_id ||=`);
 * - `group_name`: the Auto Scaling group hako was configured to scale (required with the topic);
 * - `cluster`: the cluster name (or ARN) hako runs the task in (default `default`).
 * It then sleeps `RUN_TASK_INTERVAL = 10` seconds and tries RunTask again, publishing the same
 * message (same `hako_task_id`) each time until the task starts. So the task, not the message,
 * is the identity: every re-send is a duplicate of the first (resultId `hako:<hako_task_id>`).
 * No time is in the message: the SNS Timestamp (or the queue's sent time) is taken.
 * `group_name` is hako's own scaling target; we scale the backend we manage for `cluster` and
 * only log it (a message is a request, never authority over a group).
 */
const hakoMessage = z.object({
  group_name: z.string().min(1).max(255),
  cluster: z.string().min(1).max(2048),
  cpu: z.number().int().min(0).max(1_000_000),
  memory: z.number().int().min(0).max(10_000_000),
  hako_task_id: z.string().min(1).max(128),
});

export const hako: LauncherFormat = {
  name: 'hako',
  describe: 'hako oneshot (group_name, cluster, cpu, memory, hako_task_id)',
  claims: (m) => hasKey(m, 'hako_task_id') || hasKey(m, 'group_name'),
  parse(message, received): TaskShortfall {
    const parsed = hakoMessage.safeParse(message);
    if (!parsed.success)
      throw new EventValidationError(
        'not a hako oneshot scale-out message',
        parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
      );
    const m = parsed.data;
    if (received.sentAt === undefined)
      throw new EventValidationError('a hako message needs the time it was sent', ['(no SNS Timestamp or SQS SentTimestamp)']);
    return {
      cluster: clusterName(m.cluster),
      clusterRef: m.cluster,
      taskDefinition: `hako:${m.group_name}`,
      size: { cpu: m.cpu, memory: m.memory },
      // A oneshot runs one task.
      count: 1,
      at: received.sentAt,
      resultId: `hako:${m.hako_task_id}`,
      addCapacity: true,
      reason: `no room: hako oneshot ${m.hako_task_id} started no task (its group ${m.group_name} is not scaled by us)`,
      launcher: 'hako',
    };
  },
};
