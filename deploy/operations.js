// @ts-check
'use strict';

/**
 * Alarms and the dashboard of one stage, generated from serverless.yml's `functions` and
 * `custom.operations`, so a new function gets its alarms with no extra work. Loaded by osls as
 * one entry of `resources` (`${file(./deploy/operations.js)}`); returns `{ Resources }`.
 *
 * Every alarm fires when its number is above zero in a 5-minute period (missing data is
 * "not breaching": a quiet stage is a healthy one) and notifies `alarmTopicArn` when one is set.
 */

const PERIOD_SECONDS = 300;

/** osls's logical id for a function (`naming.getNormalizedFunctionName` + `LambdaFunction`). */
const functionLogicalId = (name) => {
  const normalized = name.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized[0].toUpperCase()}${normalized.slice(1)}LambdaFunction`;
};
const upperFirst = (s) => `${s[0].toUpperCase()}${s.slice(1)}`;
const alnum = (s) => upperFirst(s.replace(/[^A-Za-z0-9]/g, ''));

/**
 * An alarm on an EMF metric that also carries a `cluster` dimension (scaleTick emits one series
 * per cluster; the clusters are known only at run time): `stat` over every cluster, above
 * `threshold` (default 0) in `minutes` one-minute periods in a row — or in `datapoints` of them
 * when given ("M of N") — or in one 5-minute period when `minutes` is not given.
 * @typedef {{ stat: 'SUM' | 'MAX'; minutes?: number | string; datapoints?: number | string; threshold?: number | string }} ClusterAlarm
 */

/**
 * @param {{
 *   service: string; stage: string; region?: string;
 *   functions: Record<string, { events?: Array<Record<string, any>> } | null>;
 *   operations: { alarmTopicArn?: string; namespace: string; deadLetterQueues: string[]; rules?: Record<string, string>;
 *     queueAgeAlarms?: Record<string, number>;
 *     zeroMetrics: Record<string, string[]>; dashboard: Array<{ title: string; services: string[]; metrics: string[]; stat?: string }>;
 *     clusterAlarms?: Record<string, Record<string, ClusterAlarm>>;
 *     clusterDashboard?: Array<{ title: string; service: string; metrics: string[]; stat?: string }> };
 * }} input
 */
function operationsResources({ service, stage, functions: declared, operations }) {
  const prefix = `${service}-${stage}`;
  // A function that resolved to null is not deployed (an optional one, deploy/stack.js): no alarms, and its metrics are skipped.
  const functions = Object.fromEntries(Object.entries(declared).filter(([, f]) => f));
  const notDeployed = (svc) => svc in declared && !functions[svc];
  const topic = String(operations.alarmTopicArn ?? '').trim();
  const actions = topic ? { AlarmActions: [topic] } : {};
  /** @type {Record<string, any>} */
  const resources = {};
  const alarm = (logicalId, name, description, metric) => {
    resources[logicalId] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `${prefix}-${name}`,
        AlarmDescription: description,
        ...metric,
        Period: PERIOD_SECONDS,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        ...actions,
      },
    };
  };

  const fnNames = Object.keys(functions);
  for (const fn of fnNames) {
    const dims = [{ Name: 'FunctionName', Value: { Ref: functionLogicalId(fn) } }];
    alarm(
      `${alnum(fn)}ErrorsAlarm`,
      `${fn}-errors`,
      `${fn} failed (its log has the error; an asynchronous event is in the dead-letter queue once retries are spent)`,
      {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: dims,
        Statistic: 'Sum',
      },
    );
    alarm(
      `${alnum(fn)}ThrottlesAlarm`,
      `${fn}-throttles`,
      `${fn} was throttled (account or reserved concurrency); throttled events are retried, then dead-lettered`,
      {
        Namespace: 'AWS/Lambda',
        MetricName: 'Throttles',
        Dimensions: dims,
        Statistic: 'Sum',
      },
    );
  }

  // Every EventBridge rule: the ones osls makes from `eventBridge` events (by their `name`), and those under resources.
  const rules = { ...(operations.rules ?? {}) };
  for (const [fn, f] of Object.entries(functions)) {
    // The first rule of a function keeps the id `<Fn>Rule`; a second one is `<Fn>Rule2`, and so on.
    const named = (f.events ?? []).filter((event) => event.eventBridge);
    named.forEach((event, i) => {
      if (!event.eventBridge.name)
        throw new Error(`functions.${fn}: give its eventBridge event a name (its alarm and the dead-letter queue policy refer to it)`);
      rules[`${alnum(fn)}Rule${i === 0 ? '' : i + 1}`] = event.eventBridge.name;
    });
  }
  for (const [id, ruleName] of Object.entries(rules)) {
    alarm(
      `${alnum(id)}FailedInvocationsAlarm`,
      `${ruleName}-failed-invocations`,
      `EventBridge rule ${ruleName} could not deliver events to its target (they are in the dead-letter queue)`,
      {
        Namespace: 'AWS/Events',
        MetricName: 'FailedInvocations',
        Dimensions: [{ Name: 'RuleName', Value: ruleName }],
        Statistic: 'Sum',
      },
    );
  }

  for (const queue of operations.deadLetterQueues) {
    alarm(
      `${alnum(queue)}DepthAlarm`,
      `${queue}-not-empty`,
      `Messages in ${queue}: something was not delivered or not processed (docs/operating.md "Dead letters and redrive" tells what each message says and how to redrive it)`,
      {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
        Statistic: 'Maximum',
      },
    );
  }

  // A queue whose oldest message is older than its bound: its consumer keeps failing or is blocked.
  for (const [queue, seconds] of Object.entries(operations.queueAgeAlarms ?? {})) {
    alarm(
      `${alnum(queue)}AgeAlarm`,
      `${queue}-oldest-message-age`,
      `The oldest message in ${queue} is over ${seconds} s old: its consumer keeps failing on it (or an AWS outage goes on); nothing is lost yet`,
      {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
        Statistic: 'Maximum',
      },
    );
    resources[`${alnum(queue)}AgeAlarm`].Properties.Threshold = Number(seconds);
  }

  for (const [metric, services] of Object.entries(operations.zeroMetrics)) {
    for (const svc of services) {
      if (notDeployed(svc)) continue;
      if (!functions[svc]) throw new Error(`custom.operations.zeroMetrics.${metric}: no function ${svc}`);
      alarm(
        `${alnum(svc)}${upperFirst(metric)}Alarm`,
        `${svc}-${metric}`,
        `${svc} reported ${metric} > 0 (EMF metric ${operations.namespace}/${metric}, service=${svc})`,
        {
          Namespace: operations.namespace,
          MetricName: metric,
          Dimensions: [{ Name: 'service', Value: svc }],
          Statistic: 'Sum',
        },
      );
    }
  }

  // One alarm per metric over every cluster: a CloudWatch Metrics Insights query (an alarm may
  // watch one query that returns one series; "Create alarms on Metrics Insights queries",
  // CloudWatch User Guide). SCHEMA(namespace, cluster, service) selects exactly the series that
  // carry these two dimensions, which is what Powertools writes for a singleMetric with `cluster`.
  for (const [svc, metrics] of Object.entries(operations.clusterAlarms ?? {})) {
    if (notDeployed(svc)) continue;
    if (!functions[svc]) throw new Error(`custom.operations.clusterAlarms.${svc}: no function ${svc}`);
    for (const [metric, spec] of Object.entries(metrics)) {
      const minutes = spec.minutes === undefined || spec.minutes === '' ? undefined : Number(spec.minutes);
      if (minutes !== undefined && !(Number.isInteger(minutes) && minutes >= 1 && minutes <= 60))
        throw new Error(`custom.operations.clusterAlarms.${svc}.${metric}.minutes=${JSON.stringify(spec.minutes)}: expected 1 to 60`);
      if (spec.stat !== 'SUM' && spec.stat !== 'MAX')
        throw new Error(`custom.operations.clusterAlarms.${svc}.${metric}.stat=${JSON.stringify(spec.stat)}: expected SUM or MAX`);
      const given = spec.datapoints !== undefined && spec.datapoints !== '';
      const datapoints = given ? Number(spec.datapoints) : minutes;
      if (given && !(minutes !== undefined && Number.isInteger(datapoints) && datapoints >= 1 && datapoints <= minutes))
        throw new Error(
          `custom.operations.clusterAlarms.${svc}.${metric}.datapoints=${JSON.stringify(spec.datapoints)}: expected 1 to minutes (${minutes})`,
        );
      const threshold = spec.threshold === undefined || spec.threshold === '' ? 0 : Number(spec.threshold);
      if (!Number.isFinite(threshold))
        throw new Error(`custom.operations.clusterAlarms.${svc}.${metric}.threshold=${JSON.stringify(spec.threshold)}: expected a number`);
      const span =
        minutes === undefined
          ? 'in a 5-minute period'
          : datapoints === minutes
            ? `for ${minutes} minutes in a row`
            : `in ${datapoints} of ${minutes} minutes`;
      resources[`${alnum(svc)}${upperFirst(metric)}Alarm`] = {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: `${prefix}-${svc}-${metric}`,
          AlarmDescription: `${svc} reported ${metric} > ${threshold} ${span} in some cluster (EMF metric ${operations.namespace}/${metric}, dimensions cluster and service=${svc}; the dashboard shows which cluster)`,
          Metrics: [
            {
              Id: 'q',
              Expression: clusterQuery(operations.namespace, svc, metric, spec.stat),
              Period: minutes === undefined ? PERIOD_SECONDS : 60,
              ReturnData: true,
            },
          ],
          EvaluationPeriods: minutes ?? 1,
          DatapointsToAlarm: datapoints ?? 1,
          Threshold: threshold,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
          ...actions,
        },
      };
    }
  }

  // A dashboard row draws only deployed functions; a row left with none is dropped.
  const rows = operations.dashboard.map((g) => ({ ...g, services: g.services.filter((svc) => !notDeployed(svc)) }));
  const drawn = {
    ...operations,
    dashboard: rows.filter((g) => g.services.length > 0),
    clusterDashboard: (operations.clusterDashboard ?? []).filter((g) => !notDeployed(g.service)),
  };
  resources.OperationsDashboard = dashboard({ prefix, fnNames, rules, operations: drawn });
  return { Resources: resources };
}

/** `SELECT <stat>(<metric>) FROM SCHEMA(<namespace>, cluster, service) WHERE service = '<svc>'`: one series over every cluster. */
const clusterQuery = (namespace, svc, metric, stat) =>
  `SELECT ${stat}(${metric}) FROM SCHEMA(${namespace}, cluster, service) WHERE service = '${svc}'`;

/** A dashboard SEARCH: one line per cluster (CloudWatch User Guide, "CloudWatch search expression syntax"). */
const clusterSearch = (namespace, svc, metric, stat) =>
  `SEARCH('{${namespace},cluster,service} service="${svc}" MetricName="${metric}"', '${stat}', ${PERIOD_SECONDS})`;

/** One CloudWatch dashboard: the drain and capacity metrics, then the plumbing. */
function dashboard({ prefix, fnNames, rules, operations }) {
  /** Fn::Sub variables: function names and queue names are only known once deployed. */
  const vars = {};
  const fnVar = (fn) => {
    const v = `Fn${alnum(fn)}`;
    vars[v] = { Ref: functionLogicalId(fn) };
    return `\${${v}}`;
  };
  const queueVar = (q) => {
    const v = `Queue${alnum(q)}`;
    vars[v] = { 'Fn::GetAtt': [q, 'QueueName'] };
    return `\${${v}}`;
  };
  let y = 0;
  const widgets = [];
  const row = (title, metrics, stat = 'Sum') => {
    widgets.push({
      type: 'metric',
      x: (widgets.length % 2) * 12,
      y,
      width: 12,
      height: 6,
      properties: { title, region: '${AWS::Region}', stat, period: PERIOD_SECONDS, view: 'timeSeries', stacked: false, metrics },
    });
    if (widgets.length % 2 === 0) y += 6;
  };
  for (const group of operations.dashboard) {
    row(
      group.title,
      group.services.flatMap((svc) => group.metrics.map((m) => [operations.namespace, m, 'service', svc, { label: `${svc} ${m}` }])),
      group.stat ?? 'Sum',
    );
  }
  for (const group of operations.clusterDashboard ?? []) {
    const stat = group.stat ?? 'Sum';
    row(
      group.title,
      group.metrics.map((m, i) => ({
        expression: clusterSearch(operations.namespace, group.service, m, stat),
        id: `e${i + 1}`,
        label: m,
      })),
      stat,
    );
  }
  row(
    'Lambda errors and throttles',
    fnNames.flatMap((fn) => ['Errors', 'Throttles'].map((m) => ['AWS/Lambda', m, 'FunctionName', fnVar(fn), { label: `${fn} ${m}` }])),
  );
  row(
    'Lambda duration (max)',
    fnNames.map((fn) => ['AWS/Lambda', 'Duration', 'FunctionName', fnVar(fn), { label: fn }]),
    'Maximum',
  );
  row(
    'Dead-letter queues (messages)',
    operations.deadLetterQueues.map((q) => ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queueVar(q), { label: q }]),
    'Maximum',
  );
  row(
    'EventBridge failed invocations',
    Object.values(rules).map((r) => ['AWS/Events', 'FailedInvocations', 'RuleName', r, { label: r }]),
  );
  return {
    Type: 'AWS::CloudWatch::Dashboard',
    Properties: {
      DashboardName: prefix,
      DashboardBody: { 'Fn::Sub': [JSON.stringify({ widgets }), vars] },
    },
  };
}

module.exports = async (
  /** @type {{ resolveVariable: (v: string) => Promise<any>, resolveConfigurationProperty: (p: string[]) => Promise<any> }} */ {
    resolveVariable,
    resolveConfigurationProperty,
  },
) =>
  operationsResources({
    service: await resolveVariable('self:service'),
    stage: await resolveVariable('sls:stage'),
    functions: await resolveConfigurationProperty(['functions']),
    operations: await resolveConfigurationProperty(['custom', 'operations']),
  });
Object.defineProperty(module.exports, 'operationsResources', { value: operationsResources, enumerable: false });
