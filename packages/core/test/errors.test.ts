import {
  checkFunction,
  checkKnownKeys,
  checkOneOf,
  checkPositiveInteger,
  RedisTimeoutError,
  RediwareConfigError,
  RediwareError,
} from '../src';

describe('errors and option checks', () => {
  it('config errors name the option, what was expected and what was received', () => {
    expect(() => checkPositiveInteger(0, 'limit')).toThrow(
      'Invalid option `limit`: expected a positive integer, received 0.',
    );
    expect(() => checkOneOf('sliding', 'algorithm', ['fixed-window', 'sliding-window'])).toThrow(
      "Invalid option `algorithm`: expected one of 'fixed-window', 'sliding-window', received \"sliding\".",
    );
    expect(() => checkFunction('x', 'key')).toThrow(/`key`: expected a function/);
    expect(() => checkKnownKeys({ limt: 1 }, ['limit'], 'rateLimit')).toThrow(/`rateLimit.limt`/);
  });

  it('has stable codes, a status and a problem+json body', () => {
    const error = new RediwareConfigError('limit', 'a positive integer', -1);
    expect(error.code).toBe('ERR_RW_CONFIG');
    expect(error).toBeInstanceOf(RediwareError);
    expect(error.name).toBe('RediwareConfigError');
    const timeout = new RedisTimeoutError('script x', 200);
    expect(timeout.code).toBe('ERR_RW_REDIS_TIMEOUT');
    expect(timeout.statusCode).toBe(503);
    expect(timeout.toProblem()).toEqual({
      type: 'https://rediware.dev/errors/ERR_RW_REDIS_TIMEOUT',
      title: 'RedisTimeoutError',
      status: 503,
      detail: 'Redis did not answer script x within 200ms (option `timeout`).',
    });
  });
});
