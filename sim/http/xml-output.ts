import { determineTimestampFormat } from '@smithy/core/protocols';
import { NormalizedSchema } from '@smithy/core/schema';
import type { WireError } from './wire-services';

/**
 * The response side of awsQuery and ec2Query: the operation's output written as the XML the
 * service sends, driven by the output schema the way @aws-sdk/core's XmlShapeDeserializer reads
 * it back (element names from the member's `xmlName`, list items `<member>` or the list member's
 * `xmlName` — EC2's `<item>` —, flattened lists and maps repeated, maps as `entry/key/value`,
 * timestamps ISO-8601 unless the member's trait says otherwise).
 */
const TIMESTAMP_SETTINGS = { timestampFormat: { useTrait: true, default: 5 }, httpBindings: false } as const;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const element = (name: string, inner: string) => `<${name}>${inner}</${name}>`;

function scalarText(ns: NormalizedSchema, value: unknown): string | undefined {
  if (ns.isTimestampSchema()) {
    // Not `instanceof Date`: a Date made in another realm (structuredClone under Jest) is one too.
    const date = new Date(
      Object.prototype.toString.call(value) === '[object Date]' ? (value as Date).getTime() : (value as string | number),
    );
    if (Number.isNaN(date.getTime())) return undefined;
    const format = determineTimestampFormat(ns, TIMESTAMP_SETTINGS as never);
    if (format === 7) return String(date.getTime() / 1000);
    if (format === 6) return date.toUTCString();
    return date.toISOString();
  }
  if (ns.isBlobSchema()) return Buffer.from(value as Uint8Array | string).toString('base64');
  if (typeof value === 'object') return undefined;
  return String(value);
}

/** The content (children or text) of one value; undefined when nothing is written. */
function content(ns: NormalizedSchema, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (ns.isStructSchema()) {
    if (typeof value !== 'object') return undefined;
    let out = '';
    for (const [name, member] of ns.structIterator()) {
      out += write(member, member.getMemberTraits().xmlName ?? name, (value as Record<string, unknown>)[name]);
    }
    return out;
  }
  if (ns.isListSchema()) {
    if (!Array.isArray(value)) return undefined;
    const member = ns.getValueSchema();
    const itemName = member.getMergedTraits().xmlName ?? 'member';
    return value.map((item) => write(member, itemName, item)).join('');
  }
  if (ns.isMapSchema()) {
    if (typeof value !== 'object') return undefined;
    return entries(ns, value as Record<string, unknown>)
      .map((e) => element('entry', e))
      .join('');
  }
  if (ns.isDocumentSchema()) return undefined;
  const text = scalarText(ns, value);
  return text === undefined ? undefined : escapeXml(text);
}

function entries(ns: NormalizedSchema, value: Record<string, unknown>): string[] {
  const keySchema = ns.getKeySchema();
  const valueSchema = ns.getValueSchema();
  const keyName = keySchema.getMergedTraits().xmlName ?? 'key';
  const valueName = valueSchema.getMergedTraits().xmlName ?? 'value';
  return Object.entries(value)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => write(keySchema, keyName, k) + write(valueSchema, valueName, v));
}

/** One member as its element(s); a flattened list or map repeats the element itself. */
function write(ns: NormalizedSchema, name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  const flat = !!ns.getMergedTraits().xmlFlattened;
  if (flat && ns.isListSchema() && Array.isArray(value)) {
    const member = ns.getValueSchema();
    return value.map((item) => element(name, content(member, item) ?? '')).join('');
  }
  if (flat && ns.isMapSchema() && typeof value === 'object') {
    return entries(ns, value as Record<string, unknown>)
      .map((e) => element(name, e))
      .join('');
  }
  const inner = content(ns, value);
  return inner === undefined ? '' : element(name, inner);
}

/** The members of an output structure, as the children of its result element. */
export function writeXmlMembers(outputSchema: unknown, value: unknown): string {
  const ns = NormalizedSchema.of(outputSchema as never);
  return ns.isStructSchema() ? (content(ns, value ?? {}) ?? '') : '';
}

/** awsQuery: `<XResponse><XResult>…</XResult><ResponseMetadata><RequestId/></ResponseMetadata></XResponse>`. */
export function queryResponse(operation: string, xmlns: string | undefined, members: string, requestId: string): string {
  const ns = xmlns ? ` xmlns="${escapeXml(xmlns)}"` : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response${ns}>` +
    element(`${operation}Result`, members) +
    element('ResponseMetadata', element('RequestId', requestId)) +
    `</${operation}Response>`
  );
}

/** ec2Query: the members sit directly in `<XResponse>`, after `<requestId>`. */
export function ec2Response(operation: string, xmlns: string | undefined, members: string, requestId: string): string {
  const ns = xmlns ? ` xmlns="${escapeXml(xmlns)}"` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response${ns}>${element('requestId', requestId)}${members}</${operation}Response>`;
}

/** awsQuery errors: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
export function queryErrorResponse(error: WireError, xmlns: string | undefined, requestId: string): string {
  const ns = xmlns ? ` xmlns="${escapeXml(xmlns)}"` : '';
  const body = element('Type', error.type) + element('Code', escapeXml(error.code)) + element('Message', escapeXml(error.message));
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse${ns}>${element('Error', body)}${element('RequestId', requestId)}</ErrorResponse>`;
}

/** ec2Query errors: `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`. */
export function ec2ErrorResponse(error: WireError, requestId: string): string {
  const body = element('Code', escapeXml(error.code)) + element('Message', escapeXml(error.message));
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response>${element('Errors', element('Error', body))}${element('RequestID', requestId)}</Response>`;
}
