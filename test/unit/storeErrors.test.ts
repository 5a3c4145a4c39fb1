import { StoreError } from '../../src/store/Store';
import { isConditionalFailure, isTransientStoreError } from '../../src/store/storeErrors';

const named = (name: string) => Object.assign(new Error('x'), { name });
const withCode = (code: string) => Object.assign(new Error('x'), { code });

describe('isConditionalFailure', () => {
  it('is true only for ConditionalCheckFailedException', () => {
    expect(isConditionalFailure(named('ConditionalCheckFailedException'))).toBe(true);
    expect(isConditionalFailure(named('TransactionCanceledException'))).toBe(false);
    expect(isConditionalFailure(named('ValidationException'))).toBe(false);
  });

  it('answers false for things that are not errors', () => {
    expect(isConditionalFailure(undefined)).toBe(false);
    expect(isConditionalFailure(null)).toBe(false);
    expect(isConditionalFailure('ConditionalCheckFailedException')).toBe(false);
  });
});

describe('isTransientStoreError', () => {
  it('is true for throttling after the SDK retries', () => {
    for (const name of ['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded']) {
      expect(isTransientStoreError(named(name))).toBe(true);
    }
  });

  it("is true for the app's StoreError (unprocessed batch items) and for timeouts", () => {
    expect(isTransientStoreError(new StoreError('BatchWrite: 3 items still unprocessed'))).toBe(true);
    expect(isTransientStoreError(named('TimeoutError'))).toBe(true);
  });

  it('is true for a database unreachable for a moment', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']) expect(isTransientStoreError(withCode(code))).toBe(true);
  });

  it('is false for programmer and data errors, and for a failed condition', () => {
    expect(isTransientStoreError(named('ValidationException'))).toBe(false);
    expect(isTransientStoreError(named('ConditionalCheckFailedException'))).toBe(false);
    expect(isTransientStoreError(new TypeError('x is undefined'))).toBe(false);
    expect(isTransientStoreError(withCode('ENOENT'))).toBe(false);
    expect(isTransientStoreError(undefined)).toBe(false);
  });
});
