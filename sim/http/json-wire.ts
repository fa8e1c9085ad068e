import { JsonCodec } from '@smithy/core/protocols';
import type { WireError, WireService } from './wire-services';

/**
 * awsJson1_0 / awsJson1_1 both ways, with the SDK's own JSON codec and the operation's schemas
 * (timestamps as epoch seconds, blobs base64, members by name): what the client sent becomes the
 * input the SDK was given (Dates included), and the output is written as the service would.
 */
const codec = () => new JsonCodec({ timestampFormat: { useTrait: true, default: 7 }, jsonName: false });

export function readJsonInput(inputSchema: unknown, body: string): Record<string, unknown> {
  const parsed = body.trim() ? (JSON.parse(body) as unknown) : {};
  return (codec()
    .createDeserializer()
    .readObject(inputSchema as never, parsed as never) ?? {}) as Record<string, unknown>;
}

/**
 * Dates made by another realm (structuredClone under Jest's VM context) fail the codec's
 * `instanceof Date` and would be written as ISO strings: rebuild them in this realm first.
 */
function sameRealmDates(value: unknown): unknown {
  if (Object.prototype.toString.call(value) === '[object Date]') return new Date((value as Date).getTime());
  if (Array.isArray(value)) return value.map(sameRealmDates);
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sameRealmDates(v)]));
  }
  return value;
}

export function writeJsonOutput(outputSchema: unknown, output: unknown): string {
  const serializer = codec().createSerializer();
  serializer.write(outputSchema as never, sameRealmDates(output ?? {}));
  const body = serializer.flush();
  return typeof body === 'string' && body ? body : '{}';
}

/**
 * A JSON protocol error: `__type` names the shape; a query-compatible service (SQS, CloudWatch)
 * also sends its query error code in `x-amzn-query-error: <Code>;<Sender|Receiver>`.
 */
export function jsonError(wire: WireService, error: WireError): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {};
  if (wire.queryCompatible) headers['x-amzn-query-error'] = `${error.code};${error.type}`;
  return { headers, body: JSON.stringify({ __type: `${wire.namespace}#${error.name}`, message: error.message }) };
}
