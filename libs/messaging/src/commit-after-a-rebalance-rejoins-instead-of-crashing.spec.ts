import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';

// kafkajs's retrier wraps a non-retriable error as `new KafkaJSNonRetriableError(e, { cause })` (its typings omit it)
const NonRetriable = KafkaJSNonRetriableError as unknown as new (
  error: Error,
  options: { cause: Error },
) => KafkaJSNonRetriableError;
import { membershipLost } from './batch-consumer';

const protocolError = (type: string) =>
  new KafkaJSProtocolError({ message: `broker said ${type}`, type, code: 25, retriable: false } as never);

describe('an offset commit refused because the group moved on', () => {
  it.each(['UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR_FOR_GROUP'])(
    'surfaces the %s protocol error that kafkajs wrapped, so kafkajs rejoins the group instead of crashing',
    (type) => {
      const cause = protocolError(type);
      const wrapped = new NonRetriable(cause, { cause });
      expect(membershipLost(wrapped)).toBe(cause);
      expect(membershipLost(cause)).toBe(cause);
    },
  );

  it('leaves any other failure as it is', () => {
    const cause = protocolError('TOPIC_AUTHORIZATION_FAILED');
    expect(membershipLost(new NonRetriable(cause, { cause }))).toBeUndefined();
    expect(membershipLost(new Error('connection reset'))).toBeUndefined();
  });
});
