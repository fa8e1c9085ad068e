// @ts-check
'use strict';

/**
 * The log functions' derivations, merged into deploy/stack.js's (serverless.yml reaches them as
 * `${file(./deploy/stack.js):<name>}`). logPartitions and logSearch, their roles and logSearch's
 * workgroup are deployed only when `logsBucket` is set: without it there are no logs to catalogue,
 * and every S3 ARN of theirs would name no bucket (`arn:aws:s3:::/*`).
 */

/** S3 bucket naming rules (Amazon S3 User Guide, "General purpose bucket naming rules"), as shared/logs/config.ts checks them. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** True when `logsBucket` names a bucket; a malformed name fails the package, naming the param. */
function logsEnabled(values) {
  const bucket = String(values.logsBucket ?? '').trim();
  if (bucket && !BUCKET_NAME.test(bucket))
    throw new Error(
      `param logsBucket=${JSON.stringify(values.logsBucket)}: expected an S3 bucket name (e.g. acme-logs, not s3://acme-logs)`,
    );
  return bucket !== '';
}

/** `s3://bucket/prefix/` → its parts (prefix with a trailing slash, or empty). */
function resultsLocation(values) {
  const given = String(values.logsAthenaOutputLocation ?? '').trim();
  const url = given || `s3://${String(values.logsBucket ?? '').trim()}/athena-results/`;
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new Error(`param logsAthenaOutputLocation=${JSON.stringify(given)}: expected s3://bucket/prefix/`);
  const prefix = m[2] === '' || m[2].endsWith('/') ? m[2] : `${m[2]}/`;
  return { url: `s3://${m[1]}/${prefix}`, bucket: m[1], prefix };
}

/**
 * A derivation that only means something with logs deployed. osls resolves custom.optionalResources
 * whether or not it is used: without `logsBucket` these give null, which never reaches the template,
 * and a results location given without it fails the package (it would otherwise deploy nothing, silently).
 */
const ifLogs = (fn) => (values) => {
  if (logsEnabled(values)) return fn(values);
  if (String(values.logsAthenaOutputLocation ?? '').trim())
    throw new Error(
      'param logsAthenaOutputLocation is set but logsBucket is not: the log functions are deployed only with logsBucket (--param="logsBucket=<bucket>")',
    );
  return null;
};

const derive = {
  logsEnabled,
  /** Optional functions (deploy/stack.js optionalFunction): both come with `logsBucket`. */
  logPartitionsEnabled: logsEnabled,
  logSearchEnabled: logsEnabled,
  /** Where logSearch's workgroup writes results: `logsAthenaOutputLocation`, else s3://<logsBucket>/athena-results/. */
  athenaResultsLocation: ifLogs((values) => resultsLocation(values).url),
  /** The results bucket and its objects under the results prefix (Athena writes them with logSearch's permissions). */
  athenaResultsBucketArn: ifLogs((values) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${resultsLocation(values).bucket}` })),
  athenaResultsObjectsArn: ifLogs((values) => ({
    'Fn::Sub': `arn:\${AWS::Partition}:s3:::${resultsLocation(values).bucket}/${resultsLocation(values).prefix}*`,
  })),
};

const NEEDS = {
  logsEnabled: ['logsBucket'],
  logPartitionsEnabled: ['logsBucket'],
  logSearchEnabled: ['logsBucket'],
  athenaResultsLocation: ['logsBucket', 'logsAthenaOutputLocation'],
  athenaResultsBucketArn: ['logsBucket', 'logsAthenaOutputLocation'],
  athenaResultsObjectsArn: ['logsBucket', 'logsAthenaOutputLocation'],
};

module.exports = { derive, NEEDS };
