import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { SimulatedAccount } from '../../sim/account';
import { M5_4XLARGE } from '../../sim/builders';

export interface WaveOptions {
  /** Spot instances that are interrupted together. */
  victims: number;
  tasksPerVictim: number;
  /** Services (one target group each); every victim runs tasks of every service. */
  services: number;
  /** Instances with room that are not interrupted. */
  spare?: number;
  /** Tasks of every service on each spare instance (0: every task of a service sits on the victims). */
  tasksPerServicePerSpare?: number;
  deregistrationDelaySeconds?: number;
}

const app = (family: string): ContainerDefinition => ({
  name: 'app',
  image: `${family}:1`,
  cpu: 64,
  memory: 128,
  essential: true,
  portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
});

/** A cluster `wave`: many Spot instances, each running tasks of every service (alternately bridge and awsvpc), plus spare room. */
export function buildWave(account: SimulatedAccount, o: WaveOptions) {
  const cluster = 'wave';
  account.ecs.createCluster(cluster);
  const join = () => {
    const { instanceId } = account.ec2.launchInstance({ lifecycle: 'spot', instanceType: M5_4XLARGE.instanceType });
    const containerInstanceArn = account.ecs.registerContainerInstance({
      cluster,
      ec2InstanceId: instanceId,
      cpu: M5_4XLARGE.cpu,
      memory: M5_4XLARGE.memory,
    });
    return { instanceId, containerInstanceArn };
  };
  const victims = Array.from({ length: o.victims }, join);
  const spare = Array.from({ length: o.spare ?? 0 }, join);
  const alb = account.elbv2.createLoadBalancer('wave-alb');
  const services = Array.from({ length: o.services }, (_, s) => {
    const name = `svc-${String(s).padStart(2, '0')}`;
    const networkMode = s % 2 === 0 ? 'bridge' : 'awsvpc';
    const targetGroupArn = account.elbv2.createTargetGroup({
      name,
      targetType: networkMode === 'awsvpc' ? 'ip' : 'instance',
      port: 8080,
      deregistrationDelaySeconds: o.deregistrationDelaySeconds ?? 30,
      loadBalancerArns: [alb],
    });
    const def = account.ecs.registerTaskDefinition({ family: name, networkMode, containerDefinitions: [app(name)] });
    return { name, targetGroupArn, taskDefinitionArn: def.taskDefinitionArn! };
  });
  const perService = Math.ceil(o.tasksPerVictim / o.services);
  const onSpare = o.tasksPerServicePerSpare ?? 0;
  for (const s of services)
    account.ecs.createService({
      cluster,
      name: s.name,
      taskDefinition: s.taskDefinitionArn,
      desiredCount: perService * o.victims + onSpare * spare.length,
      loadBalancers: [{ targetGroupArn: s.targetGroupArn, containerName: 'app', containerPort: 8080 }],
    });
  for (const sp of spare)
    for (const s of services)
      for (let i = 0; i < onSpare; i++)
        account.ecs.startTask({
          cluster,
          containerInstanceArn: sp.containerInstanceArn,
          taskDefinition: s.taskDefinitionArn,
          serviceName: s.name,
        });
  const tasksByVictim = new Map<string, string[]>();
  for (const v of victims) {
    const arns: string[] = [];
    for (let i = 0; i < o.tasksPerVictim; i++) {
      const s = services[i % services.length]!;
      arns.push(
        account.ecs.startTask({
          cluster,
          containerInstanceArn: v.containerInstanceArn,
          taskDefinition: s.taskDefinitionArn,
          serviceName: s.name,
        }),
      );
    }
    tasksByVictim.set(v.instanceId, arns);
  }
  return { cluster, victims, spare, services, tasksByVictim };
}
