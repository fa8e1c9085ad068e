import * as athena from '@aws-sdk/client-athena';
import * as autoscaling from '@aws-sdk/client-auto-scaling';
import * as cloudwatch from '@aws-sdk/client-cloudwatch';
import * as ec2 from '@aws-sdk/client-ec2';
import * as ecs from '@aws-sdk/client-ecs';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import * as glue from '@aws-sdk/client-glue';
import * as kms from '@aws-sdk/client-kms';
import * as sns from '@aws-sdk/client-sns';
import * as sqs from '@aws-sdk/client-sqs';
import { NormalizedSchema } from '@smithy/core/schema';
import { CLIENT_CLASSES, type ServiceName } from '../clients';

/**
 * What each service speaks on the wire, read from the installed SDK client itself (its protocol
 * and protocol settings, its operation and error schemas), so the endpoint answers whatever
 * protocol the client sends and follows the SDK when a service moves protocol (CloudWatch went
 * from awsQuery to awsJson1_0 with awsQueryCompatible; SQS did the same earlier).
 */
export type WireProtocol = 'ec2Query' | 'awsQuery' | 'awsJson1_0' | 'awsJson1_1' | 'other';

export interface WireService {
  service: ServiceName;
  protocol: WireProtocol;
  /** awsQuery/ec2Query `Version=` (also the key the endpoint finds a query request's service by). */
  version: string;
  /** JSON protocols' `X-Amz-Target` prefix. */
  target?: string;
  xmlNamespace?: string;
  /** Smithy namespace of the service's shapes, e.g. `com.amazonaws.sqs`. */
  namespace: string;
  /** A JSON service that answers query-compatible errors (`x-amzn-query-error: Code;Type`). */
  queryCompatible: boolean;
  /** The client package's exports: `<Operation>$` operation schemas and `<Error>$` error schemas. */
  exports: Record<string, unknown>;
}

const MODULES: Record<ServiceName, Record<string, unknown>> = { athena, autoscaling, cloudwatch, ec2, ecs, elbv2, glue, kms, sns, sqs };

interface ProtocolSettings {
  defaultNamespace: string;
  version: string;
  serviceTarget?: string;
  xmlNamespace?: string;
  awsQueryCompatible?: boolean;
}

function describe(service: ServiceName): WireService {
  const client = new CLIENT_CLASSES[service]({ region: 'eu-west-1' }) as unknown as {
    config: { protocol: { getShapeId(): string }; protocolSettings: ProtocolSettings };
  };
  const protocolObject = client.config.protocol as unknown as { getShapeId?: () => string } | (new (o: object) => { getShapeId(): string });
  // The resolved config holds the protocol class or an instance, depending on the SDK version.
  const shapeId =
    typeof protocolObject === 'function' ? new protocolObject(client.config.protocolSettings).getShapeId() : protocolObject.getShapeId!();
  const name = shapeId.split('#')[1] ?? shapeId;
  const settings = client.config.protocolSettings;
  const protocol: WireProtocol = ['ec2Query', 'awsQuery', 'awsJson1_0', 'awsJson1_1'].includes(name) ? (name as WireProtocol) : 'other';
  return {
    service,
    protocol,
    version: settings.version,
    target: settings.serviceTarget,
    xmlNamespace: settings.xmlNamespace,
    namespace: settings.defaultNamespace,
    queryCompatible: !!settings.awsQueryCompatible,
    exports: MODULES[service],
  };
}

let cache: WireService[] | undefined;
/** Every simulated service, as its installed client speaks it. */
export function wireServices(): WireService[] {
  cache ??= (Object.keys(CLIENT_CLASSES) as ServiceName[]).map(describe);
  return cache;
}

/** The operation's schema (`[9, namespace, name, traits, input, output]`), or undefined when the client has no such operation. */
export function operationSchema(wire: WireService, operation: string): { input: unknown; output: unknown } | undefined {
  const op = wire.exports[`${operation}$`];
  if (!Array.isArray(op) || op[0] !== 9) return undefined;
  const resolve = (s: unknown) => (typeof s === 'function' ? (s as () => unknown)() : s);
  return { input: resolve(op[4]), output: resolve(op[5]) };
}

export interface WireError {
  /** The code on the wire: the modelled error's awsQueryError code when it has one (`TargetGroupNotFound`), else its name. */
  code: string;
  /** The shape name the SDK maps the code back to (`TargetGroupNotFoundException`). */
  name: string;
  status: number;
  type: 'Sender' | 'Receiver';
  message: string;
}

type ErrorTraits = { awsQueryError?: [string, number]; httpError?: number; error?: string };

const errorTraits = (schema: unknown): ErrorTraits | undefined =>
  Array.isArray(schema) && schema[0] === -3 ? (NormalizedSchema.of(schema as never).getMergedTraits() as ErrorTraits) : undefined;

/**
 * The modelled error an error name stands for: the shape of that name (`TargetGroupNotFoundException`),
 * or the shape whose awsQueryError code it is (a simulator that throws CloudWatch's wire code
 * `InvalidParameterValue` means `InvalidParameterValueException`).
 */
function modelledError(wire: WireService, name: string): { shape: string; traits: ErrorTraits } | undefined {
  const own = errorTraits(wire.exports[`${name}$`]);
  if (own) return { shape: name, traits: own };
  for (const [key, schema] of Object.entries(wire.exports)) {
    const traits = key.endsWith('$') ? errorTraits(schema) : undefined;
    if (traits?.awsQueryError?.[0] === name) return { shape: key.slice(0, -1), traits };
  }
  return undefined;
}

/** How AWS would put an error the simulated account threw on the wire. */
export function wireError(wire: WireService, err: unknown): WireError {
  const e = err as { name?: string; message?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const thrown = e.name || 'InternalFailure';
  const modelled = modelledError(wire, thrown);
  const traits = modelled?.traits;
  const status = e.$metadata?.httpStatusCode ?? traits?.awsQueryError?.[1] ?? traits?.httpError ?? 400;
  const server = (traits?.error ?? e.$fault) === 'server' || status >= 500;
  return {
    code: traits?.awsQueryError?.[0] ?? thrown,
    name: modelled?.shape ?? thrown,
    status,
    type: server ? 'Receiver' : 'Sender',
    message: e.message ?? '',
  };
}
