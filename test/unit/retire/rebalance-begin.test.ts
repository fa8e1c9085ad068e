import type { ContainerInstanceRef } from '../../../shared/aws/ecs-container-instances';
import { formatMark } from '../../../shared/retire/mark';
import { beginRebalanceDrain, rebalanceRequest, type RebalanceDrainPorts } from '../../../shared/retire/rebalance';
import { RETIRING_ATTRIBUTE } from '../../../shared/tags';
import { MIN, T0 } from '../capacity/fixtures';

const ID = 'i-0123456789abcdef0';
const ARN = 'arn:aws:ecs:eu-west-1:123456789012:container-instance/c/abc';
const request = rebalanceRequest({ ec2InstanceId: ID, recommendedAt: T0 }, { kind: 'asg', id: 'g' }, 2 * MIN);
const held = [{ ec2InstanceId: ID, state: 'in-service' as const }];

/** One container instance as ECS holds it; the writes are recorded (and change it, as ECS would). */
function ecsWith(status: string, mark?: string) {
  const ci: ContainerInstanceRef = {
    cluster: 'c',
    containerInstanceArn: ARN,
    ec2InstanceId: ID,
    status,
    agentConnected: true,
    runningTasksCount: 1,
    pendingTasksCount: 0,
    ...(mark ? { attributes: { [RETIRING_ATTRIBUTE]: mark } } : {}),
  };
  const writes: string[] = [];
  const ports: RebalanceDrainPorts = {
    find: async () => ci,
    putMark: async (_c, _a, name, value) => {
      writes.push(`${name}=${value}`);
      ci.attributes = { ...ci.attributes, [name]: value };
    },
    setDraining: async () => {
      writes.push('DRAINING');
      ci.status = 'DRAINING';
      return [];
    },
  };
  return { ci, writes, ports };
}

describe('beginRebalanceDrain', () => {
  it('marks an ACTIVE instance with no mark, then sets it DRAINING', async () => {
    const { writes, ports } = ecsWith('ACTIVE');
    const r = await beginRebalanceDrain(ports, request, held, { dryRun: false, at: T0 });
    expect(r.outcome).toBe('draining');
    expect(writes).toEqual([`${RETIRING_ATTRIBUTE}=${formatMark('rebalance', T0)}`, 'DRAINING']);
  });

  it.each(['scale-in', 'agent-unhealthy', 'spot-notice'] as const)(
    'writes nothing over a %s mark on an ACTIVE instance (that retirement is setting it DRAINING now)',
    async (reason) => {
      const theirs = formatMark(reason, T0 - 5_000);
      const { ci, writes, ports } = ecsWith('ACTIVE', theirs);
      const r = await beginRebalanceDrain(ports, request, held, { dryRun: false, at: T0 });
      expect(r.outcome).toBe('not-active');
      expect(r.why).toContain(reason);
      expect(writes).toEqual([]);
      expect(ci.attributes?.[RETIRING_ATTRIBUTE]).toBe(theirs);
    },
  );

  it('answers draining for an instance already DRAINING with our rebalance mark (a retry after a lost DRAINING answer), writing nothing', async () => {
    const { writes, ports } = ecsWith('DRAINING', formatMark('rebalance', T0));
    const r = await beginRebalanceDrain(ports, request, held, { dryRun: false, at: T0 });
    expect(r.outcome).toBe('draining');
    expect(writes).toEqual([]);
  });

  it('leaves a DRAINING instance with no mark or another mark alone (someone else’s drain)', async () => {
    for (const mark of [undefined, formatMark('scale-in', T0)]) {
      const { writes, ports } = ecsWith('DRAINING', mark);
      expect((await beginRebalanceDrain(ports, request, held, { dryRun: false, at: T0 })).outcome).toBe('not-active');
      expect(writes).toEqual([]);
    }
  });
});
