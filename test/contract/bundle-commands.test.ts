import { reachableCalls } from './bundle-commands';

const adapter = {
  file: 'shared/aws/tables.ts',
  text: `
import { CreateTableCommand, GetTableCommand, paginateGetTables, type GlueClient } from '@aws-sdk/client-glue';
import * as sns from '@aws-sdk/client-sns';
export class Tables {
  constructor(private readonly glue: GlueClient) {}
  async get(name: string) { return this.fetch(name); }
  private async fetch(name: string) { return this.glue.send(new GetTableCommand({ DatabaseName: 'd', Name: name })); }
  async create(name: string) { return this.glue.send(new CreateTableCommand({ DatabaseName: 'd', TableInput: { Name: name } })); }
  async *all() { yield* paginateGetTables({ client: this.glue }, { DatabaseName: 'd' }); }
}
export const announce = (client: sns.SNSClient) => client.send(new sns.PublishCommand({ TopicArn: 't', Message: 'm' }));
`,
};

const actions = (entry: string) => reachableCalls([adapter, { file: 'functions/x/handler.ts', text: entry }]).map((c) => c.action);

describe('calls a bundle can send', () => {
  it('counts a call when the method holding it is reachable from module-level code, through this.x calls', () => {
    expect(
      actions(`import { Tables } from '../../shared/aws/tables'; export const handler = async () => new Tables(client).get('t');`),
    ).toEqual(['glue:GetTable']);
  });

  it('leaves out what unused methods of a used class send', () => {
    expect(actions(`import { Tables } from '../../shared/aws/tables'; export const handler = async () => new Tables(client);`)).toEqual([]);
  });

  it('maps paginators and namespace imports to their actions', () => {
    expect(actions(`export const handler = async (t: any) => { for await (const p of t.all()) {} ; await announce(c); };`)).toEqual([
      'glue:GetTables',
      'sns:Publish',
    ]);
  });

  it('says what to do about a client package it has no IAM prefix for', () => {
    const file = {
      file: 'shared/aws/kinesis.ts',
      text: `import { PutRecordCommand } from '@aws-sdk/client-kinesis'; export const put = (c: any) => c.send(new PutRecordCommand({}));`,
    };
    expect(() => reachableCalls([file])).toThrow(/add its IAM service prefix to IAM_PREFIX/);
  });
});
