// @ts-check
'use strict';

/**
 * The stage's switches: each function's dry run and tracing. Pure functions of the stage params,
 * merged into deploy/stack.js's derivations (serverless.yml reaches them as
 * `${file(./deploy/stack.js):<name>}`). A value that is not a boolean fails the package, naming
 * the param.
 */

/** A boolean param as the functions read it (shared/lambda/env.ts envBool); empty = false. */
const flag = (name, value) => {
  const v = String(value ?? '')
    .trim()
    .toLowerCase();
  if (['', 'false', '0', 'no'].includes(v)) return false;
  if (['true', '1', 'yes'].includes(v)) return true;
  throw new Error(`param ${name}=${JSON.stringify(value)}: expected true or false`);
};

/**
 * The functions that change something, each with its own `<functionKey>DryRun` param. Its
 * DRY_RUN is true when that param or the stage-wide `dryRun` is (logSearch and preflight only
 * read, and have none).
 */
const DRY_RUN_FUNCTIONS = [
  'spotInterruption',
  'asgLifecycleDrain',
  'logPartitions',
  'capacityWriter',
  'agentHealth',
  'nlbTargetSync',
  'logVolumes',
];

/**
 * The Powertools layer holds the Tracer (never bundled: shared/lambda/tracing.ts); its ARN per
 * region and release is the public SSM parameter Powertools publishes ("Lambda layers",
 * Powertools for AWS Lambda (TypeScript)), pinned to the Tracer release the code is built against.
 */
const TRACER_VERSION = (() => {
  const pkg = require('../package.json');
  const version = { ...pkg.dependencies, ...pkg.devDependencies }['@aws-lambda-powertools/tracer'];
  if (!/^\d+\.\d+\.\d+$/.test(String(version)))
    throw new Error(`package.json: pin @aws-lambda-powertools/tracer to one release (x.y.z) for its layer, not ${JSON.stringify(version)}`);
  return version;
})();
const POWERTOOLS_LAYER = `{{resolve:ssm:/aws/service/powertools/typescript/generic/all/${TRACER_VERSION}}}`;

/** @type {Record<string, (values: Record<string, unknown>) => unknown>} */
const derive = {
  ...Object.fromEntries(
    DRY_RUN_FUNCTIONS.map((fn) => [
      `${fn}DryRun`,
      (values) => String(flag('dryRun', values.dryRun) || flag(`${fn}DryRun`, values[`${fn}DryRun`])),
    ]),
  ),
  /** provider.tracing.lambda: Lambda active tracing (X-Ray) for every function. */
  tracingEnabled: (values) => flag('tracing', values.tracing),
  /** POWERTOOLS_TRACE_ENABLED, Powertools' own switch for its Tracer. */
  tracingEnv: (values) => String(flag('tracing', values.tracing)),
  /**
   * provider.layers: the Powertools layer when tracing is on, else none. Wrapped in Fn::Sub (osls
   * takes a layer as an ARN or a CloudFormation function; CloudFormation resolves the reference in it).
   */
  tracingLayers: (values) => (flag('tracing', values.tracing) ? [{ 'Fn::Sub': POWERTOOLS_LAYER }] : []),
};

/** The params each derivation reads. */
const NEEDS = {
  ...Object.fromEntries(DRY_RUN_FUNCTIONS.map((fn) => [`${fn}DryRun`, ['dryRun', `${fn}DryRun`]])),
  tracingEnabled: ['tracing'],
  tracingEnv: ['tracing'],
  tracingLayers: ['tracing'],
};

module.exports = { flag, derive, NEEDS, DRY_RUN_FUNCTIONS, POWERTOOLS_LAYER };
