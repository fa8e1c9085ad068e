import { UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import type { SimulatedAccount } from '../../../sim/account';
import { capacityCluster } from '../../support/capacity-world';
import { agentHealthWorld, tagAsThirdParty } from '../../support/agent-health-world';

/**
 * Someone holding only ecs:TagResource writes the keys agentHealth once kept its memory in. A tag
 * is never authority: nothing here may be drained, terminated or replaced.
 */
const FORGED_REPLACE = 'ecs-steady:agent-replace';
const FORGED_SINCE = 'ecs-steady:disconnected-since';
const LONG_AGO = '2020-01-01T00:00:00.000Z';

function cluster() {
  return capacityCluster({ backend: 'asg', instances: 4, tasksPerInstance: 1, loadBalanced: { deregistrationDelaySeconds: 30 } });
}
const untouched = (account: SimulatedAccount, id: string) => ({
  ec2: account.ec2.instance(id)?.state,
  ecs: account.ecs.containerInstanceRecord(id)?.status,
});
const effects = (account: SimulatedAccount) =>
  account.calls
    .filter((c) => /Terminate|UpdateContainerInstancesState|DeregisterTargets|StopTask/.test(c.operation))
    .map((c) => c.operation);

describe('agentHealth: a tag is never authority', () => {
  it('a forged agent-replace tag on a healthy, connected instance changes nothing', async () => {
    const { account, built } = cluster();
    const w = agentHealthWorld(account);
    const victim = built.instances[0]!.instanceId;
    await tagAsThirdParty(account, victim, { [FORGED_REPLACE]: new Date(account.clock.now()).toISOString() });
    for (let i = 0; i < 3; i++) await w.period();
    expect(untouched(account, victim)).toEqual({ ec2: 'running', ecs: 'ACTIVE' });
    expect(effects(account)).toEqual([]);
  });

  it("an operator's manual DRAINING plus a forged agent-replace tag is left to the operator: not terminated", async () => {
    const { account, built } = cluster();
    const w = agentHealthWorld(account);
    const victim = built.instances[1]!;
    await account.clients().ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: built.cluster,
        containerInstances: [victim.containerInstanceArn],
        status: 'DRAINING',
      }),
    );
    await tagAsThirdParty(account, victim.instanceId, { [FORGED_REPLACE]: LONG_AGO });
    account.ecs.setAgentConnected(victim.instanceId, false); // even with its agent gone: not our drain
    for (let i = 0; i < 3; i++) await w.period();
    expect(account.ec2.instance(victim.instanceId)?.state).toBe('running');
    expect(account.calls.filter((c) => /Terminate/.test(c.operation))).toEqual([]);
  });

  it('a forged disconnected-since tag does not make a fresh disconnect look long: acted on only after the configured time we saw', async () => {
    const { account, built } = cluster();
    const w = agentHealthWorld(account, { AGENT_DISCONNECTED_SECONDS: '600' });
    const victim = built.instances[2]!.instanceId;
    account.ecs.setAgentConnected(victim, false);
    await tagAsThirdParty(account, victim, { [FORGED_SINCE]: LONG_AGO });
    const first = w.report(await w.period(), built.cluster);
    expect(first.verdicts).toEqual([expect.objectContaining({ ec2InstanceId: victim, verdict: 'waiting', disconnectedSeconds: 0 })]);
    expect(untouched(account, victim)).toEqual({ ec2: 'running', ecs: 'ACTIVE' });
    await w.period();
    expect(w.report(await w.period(), built.cluster).replaced).toEqual([victim]); // 600 s after we saw it: the real fact
  });
});
