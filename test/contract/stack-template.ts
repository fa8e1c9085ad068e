import type { PackagedStack, Template } from './package-stack';
import { sharedStacks, STACKS_TIMEOUT_MS } from './shared-stacks';

/**
 * The packaged stacks the contract checks read (packaged once per jest run, shared-stacks.ts),
 * and how a template is read: resources by type, conditions resolved, each function with its
 * role's statements.
 */

export const OPERATOR = {
  clusters: 'web,arn:aws:ecs:eu-west-1:123456789012:cluster/batch',
  targetGroupNames: 'web-*,api-*',
  asgOwnershipTag: 'ecs-steady:drain',
  interruptedTasksTopicArn: 'arn:aws:sns:eu-west-1:123456789012:interrupted-tasks',
  alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall',
  lifecycleHookNames: 'ecs-steady-drain, batch-drain',
  asgLifecycleDrainTimeoutSeconds: '600',
  logsBucket: 'acme-logs',
  capacityBackends: 'web=asg:ecs-web-ondemand,batch=spotFleet:sfr-5d2ad1d8-6f7a-4c3e-9a7b-0123456789ab',
  capacityWriterDryRun: 'true',
  tracing: 'true',
  capacityNotArrivedAlarmMinutes: '10',
  unplaceableAlarmMinutes: '20',
  replaceOnNotice: 'false',
  nlbTargets: 'web=arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-fluentd/0123456789abcdef:24224',
};

/**
 * Set by `packageStacks()` before the file's first test runs: the checks read these live
 * bindings at test time, so one packaging per jest run serves every check module.
 */
export let defaults: PackagedStack;
export let operator: PackagedStack;

/**
 * The bare stack (`sls package --stage dev`) and the operator's (prod, OPERATOR) before the
 * file's tests: packaged by the run's first caller, shared by the rest (globalTeardown removes them).
 */
export function packageStacks(): void {
  beforeAll(async () => {
    ({ defaults, operator } = await sharedStacks(OPERATOR));
  }, STACKS_TIMEOUT_MS + 60_000);
}

export type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  NotAction?: unknown;
  NotResource?: unknown;
};

/** The resources of a type that CloudFormation creates (a resource whose Condition is false is left out). */
export const ofType = (t: Template, type: string) =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === type && (r.Condition === undefined || conditionHolds(t, r.Condition)));
export const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** A template condition (all static after packaging), by name. */
function conditionHolds(t: Template, name: string): boolean {
  const truth = (c: unknown): boolean => {
    const x = c as Record<string, any>;
    if (typeof c === 'object' && c && 'Condition' in x) return truth(t.Conditions?.[x.Condition as string]);
    if (x['Fn::Not']) return !truth(x['Fn::Not'][0]);
    if (x['Fn::Equals']) return JSON.stringify(x['Fn::Equals'][0]) === JSON.stringify(x['Fn::Equals'][1]);
    if (x['Fn::And']) return x['Fn::And'].every(truth);
    if (x['Fn::Or']) return x['Fn::Or'].some(truth);
    throw new Error(`condition not evaluable offline: ${JSON.stringify(c)}`);
  };
  return truth(t.Conditions?.[name]);
}

/** Evaluate the template's conditions and drop `AWS::NoValue`. */
function resolveIf(t: Template, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIf(t, v)).filter((v) => !isNoValue(v));
  if (value && typeof value === 'object') {
    const o = value as Record<string, any>;
    if (o['Fn::If']) {
      const [cond, yes, no] = o['Fn::If'];
      return resolveIf(t, conditionHolds(t, cond) ? yes : no);
    }
    return Object.fromEntries(
      Object.entries(o)
        .map(([k, v]) => [k, resolveIf(t, v)])
        .filter(([, v]) => !isNoValue(v)),
    );
  }
  return value;
}
const isNoValue = (v: unknown) => !!v && typeof v === 'object' && (v as { Ref?: string }).Ref === 'AWS::NoValue';

export interface Fn {
  key: string;
  logicalId: string;
  name: string;
  props: any;
  roleId: string;
  statements: Statement[];
}

/** Every Lambda function with its role's statements, keyed by its serverless.yml name. */
export function functionsOf(stack: PackagedStack): Fn[] {
  const t = stack.template;
  return ofType(t, 'AWS::Lambda::Function').map(([logicalId, r]) => {
    const name = r.Properties.FunctionName as string;
    const key = Object.keys(stack.entries).find((k) => name.endsWith(`-${k}`));
    if (!key) throw new Error(`function ${name} is not in serverless.yml's functions`);
    const roleRef = r.Properties.Role;
    const roleId = roleRef?.['Fn::GetAtt']?.[0] as string | undefined;
    if (!roleId || t.Resources[roleId]?.Type !== 'AWS::IAM::Role')
      throw new Error(`${key}: its Role is not a role of this stack (${JSON.stringify(roleRef)})`);
    const role = resolveIf(t, t.Resources[roleId]!.Properties) as {
      Policies?: Array<{ PolicyDocument: { Statement: Statement[] } }>;
      ManagedPolicyArns?: unknown;
    };
    return {
      key,
      logicalId,
      name,
      props: r.Properties,
      roleId,
      statements: (role.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement),
    };
  });
}

export const actionsOf = (statements: Statement[]) => new Set(statements.flatMap((s) => asList(s.Action)));
export const refersTo = (value: unknown, logicalId: string) => JSON.stringify(value).includes(`"${logicalId}"`);

export const sorted = (s: Iterable<string>) => [...s].sort();
