import { ECSClient } from '@aws-sdk/client-ecs';
import { HTTP_TIMEOUTS, makeClients } from '../../shared/aws/clients';

describe('makeClients', () => {
  it('gives every request a connection and a response timeout', async () => {
    const { ecs } = makeClients({ ecs: ECSClient }, { region: 'eu-west-1' });
    const handler = ecs.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> };
    expect(await handler.configProvider).toMatchObject(HTTP_TIMEOUTS);
  });
});
