import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { KMSClient } from '@aws-sdk/client-kms';
import { wasAttachedBetween } from '../../aws/ebs-metrics';
import { Ec2VolumesAdapter } from '../../aws/ec2-volumes';
import { isContainerInstanceOf } from '../../aws/ecs-membership';
import { KmsMacAdapter } from '../../aws/kms-mac';
import type { VolumesPort } from './ports';

/** logVolumes' port on the function's clients: EBS volumes (EC2), their metrics (CloudWatch), cluster membership (ECS) and its stamp key (KMS). */
export function logVolumesPort(
  clients: { ec2: EC2Client; ecs: ECSClient; kms: KMSClient; cloudwatch: CloudWatchClient },
  stampKeyId: string,
): VolumesPort {
  const volumes = new Ec2VolumesAdapter(clients.ec2);
  const mac = new KmsMacAdapter(clients.kms, stampKeyId);
  return {
    listTagged: (key, values, states, o) => volumes.listTagged(key, values, states, o),
    describe: (ids, o) => volumes.describe(ids, o),
    delete: (id, o) => volumes.delete(id, o),
    tag: (ids, tags, o) => volumes.tag(ids, tags, o),
    isContainerInstanceOf: (cluster, ec2InstanceId, o) => isContainerInstanceOf(clients.ecs, cluster, ec2InstanceId, o),
    wasAttachedBetween: (id, from, to, o) => wasAttachedBetween(clients.cloudwatch, id, from, to, o),
    mac: { generate: (m, o) => mac.generate(m, o), verify: (m, t, o) => mac.verify(m, t, o) },
  };
}
