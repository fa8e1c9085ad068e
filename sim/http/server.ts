import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SimulatedAccount } from '../account';
import { jsonError, readJsonInput, writeJsonOutput } from './json-wire';
import { queryAction, readQueryInput } from './query-input';
import { operationSchema, wireError, wireServices, type WireService } from './wire-services';
import { ec2ErrorResponse, ec2Response, queryErrorResponse, queryResponse, writeXmlMembers } from './xml-output';

/**
 * The simulated account over HTTP, for clients pointed at it with AWS_ENDPOINT_URL (what `sls
 * invoke local` runs). Every simulated service is served in the protocol its installed SDK
 * client speaks (sim/http/wire-services.ts): the request is read back into the input object
 * through the operation's input schema, `account.call` answers it (rate limits, faults and
 * error texts included), and the output or error is written through the output schema.
 */
export interface SimServerOptions {
  /** One line per call (`ecs.ListClusters`, `elbv2.DescribeTargetGroups → TargetGroupNotFound`). */
  log?: (line: string) => void;
  /** Served as JSON at GET /_sim/sample-ids: what a sample's ids stand for in this account (scripts/invoke.ts reads it). */
  sampleIds?: () => Record<string, Record<string, string>>;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const XML = 'text/xml';

export function createSimServer(account: SimulatedAccount, options: SimServerOptions = {}): Server {
  // Its own request ids: drawing them from the account would shift the ids the account hands out.
  let requests = 0;
  const nextRequestId = () => `sim-request-${(++requests).toString(16).padStart(8, '0')}`;
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const requestId = nextRequestId();
      answer(account, req, body, requestId, options)
        .catch((err: unknown): Reply => ({ status: 500, headers: { 'content-type': 'text/plain' }, body: String(err) }))
        .then((reply) => {
          res.writeHead(reply.status, { ...reply.headers, 'x-amzn-requestid': requestId });
          res.end(reply.body);
        });
    });
  });
}

/** Listen on 127.0.0.1 (port 0: any free port); resolves with the port. */
export function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

async function answer(
  account: SimulatedAccount,
  req: IncomingMessage,
  body: string,
  requestId: string,
  options: SimServerOptions,
): Promise<Reply> {
  if (req.method === 'GET' && req.url === '/_sim/sample-ids') {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(options.sampleIds?.() ?? {}) };
  }
  const target = String(req.headers['x-amz-target'] ?? '');
  if (target) {
    const [prefix, operation = ''] = target.split('.');
    const wire = wireServices().find((w) => w.target === prefix && w.protocol.startsWith('awsJson'));
    if (!wire) return unknown(`no simulated service answers X-Amz-Target ${target}`);
    return callJson(account, wire, operation, body, options);
  }
  const { action, version } = queryAction(body);
  const wire = wireServices().find((w) => w.version === version && (w.protocol === 'awsQuery' || w.protocol === 'ec2Query'));
  if (!wire || !action) return unknown(`no simulated service answers Action=${action} Version=${version}`);
  return callQuery(account, wire, action, body, requestId, options);
}

function unknown(message: string): Reply {
  return {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ __type: 'UnknownOperationException', message }),
  };
}

async function callJson(account: SimulatedAccount, wire: WireService, operation: string, body: string, options: SimServerOptions) {
  const contentType = `application/x-amz-json-${wire.protocol === 'awsJson1_0' ? '1.0' : '1.1'}`;
  const schema = operationSchema(wire, operation);
  try {
    if (!schema)
      throw Object.assign(new Error(`${operation} is not an operation of ${wire.service}`), { name: 'UnknownOperationException' });
    const output = await account.call(wire.service, operation, readJsonInput(schema.input, body));
    options.log?.(`${wire.service}.${operation}`);
    return { status: 200, headers: { 'content-type': contentType }, body: writeJsonOutput(schema.output, output) };
  } catch (err) {
    const error = wireError(wire, err);
    options.log?.(`${wire.service}.${operation} → ${error.code}`);
    const { headers, body: errorBody } = jsonError(wire, error);
    return { status: error.status, headers: { 'content-type': contentType, ...headers }, body: errorBody };
  }
}

async function callQuery(
  account: SimulatedAccount,
  wire: WireService,
  action: string,
  body: string,
  requestId: string,
  options: SimServerOptions,
) {
  const ec2 = wire.protocol === 'ec2Query';
  const schema = operationSchema(wire, action);
  try {
    if (!schema)
      throw Object.assign(new Error('The action or operation requested is invalid. Verify that the action is typed correctly.'), {
        name: 'InvalidAction',
      });
    const output = await account.call(wire.service, action, readQueryInput(schema.input, body, { ec2 }));
    options.log?.(`${wire.service}.${action}`);
    const members = writeXmlMembers(schema.output, output);
    const xml = ec2
      ? ec2Response(action, wire.xmlNamespace, members, requestId)
      : queryResponse(action, wire.xmlNamespace, members, requestId);
    return { status: 200, headers: { 'content-type': XML }, body: xml };
  } catch (err) {
    const error = wireError(wire, err);
    options.log?.(`${wire.service}.${action} → ${error.code}`);
    const xml = ec2 ? ec2ErrorResponse(error, requestId) : queryErrorResponse(error, wire.xmlNamespace, requestId);
    return { status: error.status, headers: { 'content-type': XML }, body: xml };
  }
}
