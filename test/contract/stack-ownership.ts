import type { PackagedStack } from './package-stack';
import { actionsOf, asList, defaults, functionsOf, operator, OPERATOR, sorted } from './stack-template';

/**
 * Termination goes only to the functions that terminate, and only on what we manage as far as IAM
 * can say it (deploy/ownership.js; docs/design/trust.md): capacityWriter, the one function that
 * changes capacity, and agentHealth, which replaces. The derivation in stack-iam.ts proves no
 * function is granted more than its bundle sends; this proves who terminates and where.
 */
export function describeOwnership(): void {
  describe('IAM: termination', () => {
    it('goes only to the functions that terminate (EC2 and Auto Scaling), and only on fleet instances: the named fleets when capacityBackends names them', () => {
      const terminators = (stack: PackagedStack, action: string) =>
        sorted(
          functionsOf(stack)
            .filter((fn) => actionsOf(fn.statements).has(action))
            .map((fn) => fn.key),
        );
      for (const stack of [defaults, operator])
        for (const action of ['ec2:TerminateInstances', 'autoscaling:TerminateInstanceInAutoScalingGroup'])
          expect([action, terminators(stack, action)]).toEqual([action, ['agentHealth', 'capacityWriter']]);
      const conditions = (stack: PackagedStack) =>
        functionsOf(stack).flatMap((fn) =>
          fn.statements.filter((s) => asList(s.Action).includes('ec2:TerminateInstances')).map((s) => [fn.key, s.Sid, s.Condition]),
        );
      const any = {
        ec2: { Null: { 'aws:ResourceTag/aws:ec2:fleet-id': 'false' } },
        spot: { Null: { 'aws:ResourceTag/aws:ec2spot:fleet-request-id': 'false' } },
      };
      for (const fn of ['capacityWriter', 'agentHealth']) {
        expect(conditions(defaults).filter(([k]) => k === fn)).toEqual([
          [fn, 'TerminateEc2FleetInstances', any.ec2],
          [fn, 'TerminateSpotFleetInstances', any.spot],
        ]);
        // The operator names one Spot Fleet and no EC2 Fleet: Spot Fleet instances only of that request.
        const named = OPERATOR.capacityBackends
          .split(',')
          .find((b) => b.includes('=spotFleet:'))!
          .split(':')[1];
        expect(conditions(operator).filter(([k]) => k === fn)).toEqual([
          [fn, 'TerminateEc2FleetInstances', any.ec2],
          [fn, 'TerminateSpotFleetInstances', { StringEquals: { 'aws:ResourceTag/aws:ec2spot:fleet-request-id': [named] } }],
        ]);
      }
    });
  });
}
