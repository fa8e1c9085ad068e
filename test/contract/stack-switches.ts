import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadServerlessConfig } from '../support/serverless-config';
import type { PackagedStack, Template } from './package-stack';
import { functionsOf, ofType, operator, OPERATOR, defaults } from './stack-template';

// deploy/stack.js is CommonJS; its `derive` holds the same functions osls calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { derive } = require('../../deploy/stack.js') as { derive: Record<string, (values: Record<string, string>) => unknown> };

const LOG_FUNCTIONS = ['logPartitions', 'logSearch'];
const env = (stack: PackagedStack, key: string) =>
  functionsOf(stack).find((f) => f.key === key)!.props.Environment.Variables as Record<string, string>;
const alarmNames = (t: Template) => ofType(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName as string);
const dashboardTitles = (t: Template) =>
  (
    JSON.parse(ofType(t, 'AWS::CloudWatch::Dashboard')[0]![1].Properties.DashboardBody['Fn::Sub'][0]).widgets as Array<{
      properties: { title: string };
    }>
  ).map((w) => w.properties.title);

/** Every string of the template CloudFormation reads as a whole (not the fragments of an Fn::Join). */
function wholeStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) wholeStrings(v, out);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (k !== 'Fn::Join') wholeStrings(v, out);
  return out;
}
/** An S3 ARN or URL naming no bucket: what an empty `logsBucket` used to put in IAM and the workgroup. */
const EMPTY_BUCKET = /s3:::(\/|$)|s3:\/\/\//;

/** The stage's switches: the optional log functions, one dry-run pattern, tracing. */
export function describeSwitches(): void {
  describe('switches: log functions only with logsBucket, <functionKey>DryRun, tracing', () => {
    it('a bare package has no log function, role, workgroup, alarm or dashboard row, and no S3 ARN without a bucket', () => {
      for (const fn of LOG_FUNCTIONS) {
        expect([fn, defaults.entries[fn], defaults.zips[fn]]).toEqual([fn, undefined, undefined]);
        expect(alarmNames(defaults.template).filter((n) => n.includes(fn))).toEqual([]);
      }
      const ids = Object.keys(defaults.template.Resources);
      expect(ids.filter((id) => /^Log(Partitions|Search)/.test(id))).toEqual([]);
      expect(ofType(defaults.template, 'AWS::Athena::WorkGroup')).toEqual([]);
      expect(dashboardTitles(defaults.template)).not.toContain('Log partitions');
      expect(wholeStrings(defaults.template).filter((s) => EMPTY_BUCKET.test(s))).toEqual([]);
      expect(env(defaults, 'preflight').PREFLIGHT_FUNCTIONS!.split(',')).not.toEqual(expect.arrayContaining(['logPartitions']));
    });

    it('with logsBucket, deploys both log functions with their roles, workgroup, alarms and dashboard row on that bucket', () => {
      for (const fn of LOG_FUNCTIONS) expect([fn, typeof operator.zips[fn]]).toEqual([fn, 'string']);
      expect(env(operator, 'logPartitions')).toMatchObject({ LOGS_BUCKET: OPERATOR.logsBucket, DRY_RUN: 'false' });
      expect(env(operator, 'logSearch')).toMatchObject({ LOGS_BUCKET: OPERATOR.logsBucket });
      expect(ofType(operator.template, 'AWS::IAM::Role').map(([id]) => id)).toEqual(
        expect.arrayContaining(['LogPartitionsRole', 'LogSearchRole']),
      );
      expect(ofType(operator.template, 'AWS::Athena::WorkGroup')).toHaveLength(1);
      expect(alarmNames(operator.template)).toEqual(expect.arrayContaining(['ecs-steady-prod-logPartitions-partitionsFailed']));
      expect(dashboardTitles(operator.template)).toContain('Log partitions');
      const s3 = wholeStrings(operator.template).filter((s) => s.includes(':s3:::'));
      expect(s3.length).toBeGreaterThan(0);
      for (const arn of s3) expect(arn).toMatch(/:s3:::acme-logs(\/|$)/);
    });

    it('refuses at package time a malformed logsBucket, or a log param that needs logsBucket without it, naming them', () => {
      expect(derive.logsEnabled!({ logsBucket: '', logsAthenaOutputLocation: '' })).toBe(false);
      expect(derive.logsEnabled!({ logsBucket: ' acme-logs ' })).toBe(true);
      expect(() => derive.logsEnabled!({ logsBucket: 's3://acme-logs' })).toThrow(
        /param logsBucket="s3:\/\/acme-logs": expected an S3 bucket name/,
      );
      expect(derive.athenaResultsLocation!({ logsBucket: '', logsAthenaOutputLocation: '' })).toBeNull();
      expect(derive.athenaResultsLocation!({ logsBucket: 'acme-logs', logsAthenaOutputLocation: 's3://results/q' })).toBe(
        's3://results/q/',
      );
      expect(() => derive.athenaResultsLocation!({ logsBucket: '', logsAthenaOutputLocation: 's3://results/' })).toThrow(
        /param logsAthenaOutputLocation is set but logsBucket is not/,
      );
      expect(loadServerlessConfig().functions.logPartitions).toBeUndefined();
      expect(Object.keys(loadServerlessConfig(undefined, 'dev', { logsBucket: 'acme-logs' }).functions)).toEqual(
        expect.arrayContaining(LOG_FUNCTIONS),
      );
    });

    it('feeds each function DRY_RUN from dryRun or its own <functionKey>DryRun; logVolumes is in dry run unless told otherwise', () => {
      const config = loadServerlessConfig();
      const params = Object.keys(config.params.default!);
      expect(params.filter((p) => /DryRun$|ReportOnly$/.test(p)).sort()).toEqual(
        [
          'agentHealthDryRun',
          'asgLifecycleDrainDryRun',
          'capacityWriterDryRun',
          'logPartitionsDryRun',
          'logVolumesDryRun',
          'nlbTargetSyncDryRun',
          'spotInterruptionDryRun',
        ].sort(),
      );
      for (const stack of [defaults, operator]) {
        const values: Record<string, string> = { ...config.params.default, ...(stack === operator ? OPERATOR : {}) };
        for (const fn of functionsOf(stack)) {
          const own = `${fn.key}DryRun`;
          // logSearch and preflight only read: the stage-wide dryRun reaches them unchanged.
          const expected = params.includes(own) ? derive[own]!(values) : values.dryRun;
          expect([fn.key, fn.props.Environment.Variables.DRY_RUN]).toEqual([fn.key, expected]);
        }
      }
      expect(env(defaults, 'logVolumes').DRY_RUN).toBe('true');
      expect(env(operator, 'capacityWriter').DRY_RUN).toBe('true');
      expect(derive.agentHealthDryRun!({ dryRun: 'true', agentHealthDryRun: 'false' })).toBe('true');
      expect(derive.logVolumesDryRun!({ dryRun: '', logVolumesDryRun: 'false' })).toBe('false');
      expect(() => derive.nlbTargetSyncDryRun!({ dryRun: 'yes please' })).toThrow(/param dryRun="yes please": expected true or false/);
    });

    it('traces only when tracing is on: active tracing, the Powertools layer for its Tracer, X-Ray writes on every role', () => {
      for (const fn of functionsOf(defaults)) {
        expect([fn.key, fn.props.TracingConfig, fn.props.Layers ?? [], fn.props.Environment.Variables.POWERTOOLS_TRACE_ENABLED]).toEqual([
          fn.key,
          undefined,
          [],
          'false',
        ]);
        expect([fn.key, JSON.stringify(fn.statements).includes('xray:')]).toEqual([fn.key, false]);
      }
      const layer = {
        'Fn::Sub': expect.stringMatching(/^\{\{resolve:ssm:\/aws\/service\/powertools\/typescript\/generic\/all\/\d+\.\d+\.\d+\}\}$/),
      };
      for (const fn of functionsOf(operator)) {
        expect([fn.key, fn.props.TracingConfig, fn.props.Layers, fn.props.Environment.Variables.POWERTOOLS_TRACE_ENABLED]).toEqual([
          fn.key,
          { Mode: 'Active' },
          [layer],
          'true',
        ]);
        expect([fn.key, fn.statements.filter((s) => s.Sid === 'XRayTraces').map((s) => s.Action)]).toEqual([
          fn.key,
          [['xray:PutTraceSegments', 'xray:PutTelemetryRecords']],
        ]);
      }
      expect(() => derive.tracingEnabled!({ tracing: 'on' })).toThrow(/param tracing="on"/);
    });

    it('bundles no Tracer: it comes from the layer only when tracing is on', () => {
      const shipped = Object.keys(operator.zips).flatMap((fn) => {
        const meta = JSON.parse(readFileSync(join(operator.buildDir, `${operator.entries[fn]}-meta.json`), 'utf8')) as {
          inputs: Record<string, unknown>;
        };
        return Object.keys(meta.inputs).filter((i) => i.includes('@aws-lambda-powertools/tracer') || i.includes('aws-xray-sdk'));
      });
      expect(shipped).toEqual([]);
    });
  });
}
