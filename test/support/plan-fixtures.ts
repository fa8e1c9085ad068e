import type { Target, TargetHealth, TargetState } from '../../shared/aws/elbv2-targets';
import { shortArn, type PlanSettings } from '../../shared/drain/plan';
import { applyStepResult } from '../../shared/drain/state';
import type { DrainPlan, DrainState, DrainStep, DrainTimes, LifecycleState } from '../../shared/drain/types';
import { EC2_ID, ecsService, ecsTask } from './drain-state';

/**
 * The planner tests' instance: its drain times and settings, three target groups (TG_A
 * instance-type, TG_B and TG_C ip-type), the services behind them, a task of each kind and a
 * lifecycle action, plus the checks every plan must pass.
 */

export const T0 = Date.parse('2026-11-23T10:00:00Z');
export const TIMES: DrainTimes = {
  drainWaitEndsAt: T0 + 90_000,
  forceAt: T0 + 105_000,
  deadline: T0 + 120_000,
  stepEndsAt: Infinity,
  expiresAt: T0 + 120_000,
};
export const SETTINGS: PlanSettings = {
  dryRun: false,
  pollMs: 5_000,
  keepServing: false,
  notifyInterrupted: false,
  expiredToleranceMs: 0,
  drainId: 'd1',
};
/** Instance-type group (bridge tasks: instance id + host port). */
export const TG_A = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/a/1';
/** ip-type groups (awsvpc tasks: ENI address + container port). */
export const TG_B = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/b/2';
export const TG_C = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/c/3';

export const WEB = ecsService('web', { runningCount: 4, lbs: [{ tg: TG_A, container: 'web', port: 80 }] });
export const API = ecsService('api', {
  runningCount: 2,
  lbs: [
    { tg: TG_B, container: 'api', port: 8080 },
    { tg: TG_C, container: 'api', port: 8080 },
  ],
});
export const WORKER = ecsService('worker', { runningCount: 2 });
export const SERVICES = [WEB, API, WORKER];

export const webTask = ecsTask({ arn: 't/web', service: 'web', bindings: [{ container: 'web', containerPort: 80, hostPort: 32768 }] });
export const apiTask = ecsTask({ arn: 't/api', service: 'api', ip: '10.0.1.5' });
export const batch = ecsTask({ arn: 't/batch', group: 'family:report' });
export const worker = ecsTask({ arn: 't/worker', service: 'worker' });
export const WEB_T: Target = { id: EC2_ID, port: 32768 };
export const API_T: Target = { id: '10.0.1.5', port: 8080 };
export const seen = (t: Target, state: TargetState): TargetHealth => ({ ...t, state });

/** Every step of a plan comes with its reason, one for one and in step order (a stop's or deregistration's reason names its task or group). */
export function expectReasons(plan: DrainPlan) {
  expect(plan.reasons).toHaveLength(plan.steps.length);
  const subject = (st: DrainStep) =>
    st.kind === 'stopTask'
      ? st.taskArn
      : st.kind === 'deregisterTargets'
        ? st.targetGroupArn
        : st.kind === 'notifyInterrupted'
          ? st.task.taskArn
          : undefined;
  plan.steps.forEach((st, i) => {
    const arn = subject(st);
    if (arn) expect({ step: st.kind, reason: plan.reasons[i] }).toEqual({ step: st.kind, reason: expect.stringContaining(shortArn(arn)) });
  });
}
/** A plan that waits for targets to drain looks again no later than the drain wait's end; one that does not, not before it. */
export function expectWaits(plan: DrainPlan, waits: boolean) {
  expect(plan.outcome).toBeUndefined();
  if (waits) expect(plan.wakeAt).toBeLessThanOrEqual(Math.min(TIMES.drainWaitEndsAt, TIMES.forceAt));
  else if (plan.wakeAt !== undefined) expect(plan.wakeAt).toBeGreaterThan(TIMES.drainWaitEndsAt);
}
export const ok = (step: DrainStep, at: number) => ({ step, ok: true, at, stop: { ours: true, gone: false }, actionLive: true });
export const applyAll = (state: DrainState, plan: DrainPlan, at: number) => plan.steps.forEach((st) => applyStepResult(state, ok(st, at)));

export const REF = { autoScalingGroupName: 'asg', lifecycleHookName: 'ecs-steady-drain', lifecycleActionToken: 'tok', instanceId: EC2_ID };
export function lifecycleAt(lastHeartbeatAt: number, result: LifecycleState['result'] = 'CONTINUE'): LifecycleState {
  return { ref: REF, heartbeatTimeoutMs: 300_000, globalEndsAt: T0 + 30_000_000, lastHeartbeatAt, result };
}
