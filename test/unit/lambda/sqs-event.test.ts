import { EventValidationError } from '../../../shared/lambda/errors';
import { sqsRecords } from '../../../shared/lambda/sqs-event';
import { sqsRecord } from '../../support/sqs-records';

describe('sqsRecords', () => {
  it('answers the records of an SQS event as Lambda delivers it', () => {
    const records = [sqsRecord('m-1', '{}'), sqsRecord('m-2', '{"a":1}')];
    expect(sqsRecords({ Records: records }, 'fn').map((r) => r.messageId)).toEqual(['m-1', 'm-2']);
  });

  it.each([
    [
      'an EventBridge event',
      { id: 'e', source: 'aws.ecs', 'detail-type': 'ECS Service Action', detail: {} },
      /got an EventBridge event \("ECS Service Action"\)/,
    ],
    ['an SNS notification', { Type: 'Notification', Message: '{}' }, /got an SNS notification/],
    ['an empty object', {}, /got an object with keys \(none\)/],
    ['records that did not come from SQS', { Records: [{ messageId: 'm', body: '{}' }] }, /Records\.0\.eventSource/],
  ])('refuses %s, saying it takes an SQS event', (_what, event, detail) => {
    expect(() => sqsRecords(event, 'runTaskFailure')).toThrow(EventValidationError);
    expect(() => sqsRecords(event, 'runTaskFailure')).toThrow(/runTaskFailure is fed by an SQS queue and takes an SQS event/);
    expect(() => sqsRecords(event, 'runTaskFailure')).toThrow(detail);
  });
});
