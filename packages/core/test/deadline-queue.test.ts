import { DeadlineQueue } from '../src/deadline-queue';
import { RedisTimeoutError } from '../src/errors';

// The queue's timing on jest's fake clock (Date.now and timers move together), so every deadline
// is checked to the millisecond without sleeping. That every Redis call of a backend goes through
// it, against a real Redis that stops answering, is proven in failure.test.ts.

const never = (): Promise<never> => new Promise<never>(() => {});
const keep = (error: unknown): unknown => error;

function settledState(promise: Promise<unknown>): {
  state: 'pending' | 'resolved' | 'rejected';
  value?: unknown;
} {
  const seen: { state: 'pending' | 'resolved' | 'rejected'; value?: unknown } = { state: 'pending' };
  promise.then(
    (value) => Object.assign(seen, { state: 'resolved', value }),
    (value: unknown) => Object.assign(seen, { state: 'rejected', value }),
  );
  return seen;
}

describe('DeadlineQueue', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('hands the value of a call that resolved after its deadline to onLate, and only that one', async () => {
    const queue = new DeadlineQueue(100, false, keep);
    const late: unknown[] = [];
    const onLate = (value: unknown) => late.push(value);
    const answer = (value: string, afterMs: number) => () =>
      new Promise<string>((resolve) => setTimeout(() => resolve(value), afterMs));
    const inTime = settledState(queue.run(answer('in time', 50), 'in time', onLate));
    const tooLate = settledState(queue.run(answer('too late', 150), 'too late', onLate));
    const failedLate = settledState(
      queue.run(
        () => new Promise((_, reject) => setTimeout(() => reject(new Error('x')), 150)),
        'failed',
        onLate,
      ),
    );
    await jest.advanceTimersByTimeAsync(100);
    expect([inTime.state, tooLate.state, failedLate.state]).toEqual(['resolved', 'rejected', 'rejected']);
    expect(late).toEqual([]);
    await jest.advanceTimersByTimeAsync(50);
    expect(late).toEqual(['too late']);
  });

  it('rejects each call that does not settle at its own deadline, never before', async () => {
    const queue = new DeadlineQueue(100, false, keep);
    const first = settledState(queue.run(never, 'first'));
    await jest.advanceTimersByTimeAsync(40);
    const second = settledState(queue.run(never, 'second'));
    await jest.advanceTimersByTimeAsync(59);
    expect([first.state, second.state]).toEqual(['pending', 'pending']);
    await jest.advanceTimersByTimeAsync(1);
    expect(first.state).toBe('rejected');
    expect(first.value).toBeInstanceOf(RedisTimeoutError);
    expect((first.value as Error).message).toContain('first');
    await jest.advanceTimersByTimeAsync(39);
    expect(second.state).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    expect(second.state).toBe('rejected');
  });

  it('keeps the deadline of a later call when the calls before it settled', async () => {
    const queue = new DeadlineQueue(100, false, keep);
    let answer: (value: string) => void = () => {};
    const answered = settledState(queue.run(() => new Promise<string>((resolve) => (answer = resolve)), 'a'));
    await jest.advanceTimersByTimeAsync(30);
    const late = settledState(queue.run(never, 'b'));
    answer('ok');
    await jest.advanceTimersByTimeAsync(99);
    expect(answered).toEqual({ state: 'resolved', value: 'ok' });
    expect(late.state).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    expect(late.state).toBe('rejected');
  });

  it('drops an answer that comes after the deadline and maps errors that come before it', async () => {
    const queue = new DeadlineQueue(
      50,
      false,
      (error, operation) => new Error(`${operation}: ${String(error)}`),
    );
    let answer: (value: string) => void = () => {};
    const slow = settledState(queue.run(() => new Promise<string>((resolve) => (answer = resolve)), 'slow'));
    const failing = settledState(queue.run(() => Promise.reject(new Error('boom')), 'failing'));
    await jest.advanceTimersByTimeAsync(50);
    answer('too late');
    await jest.advanceTimersByTimeAsync(0);
    expect(slow.state).toBe('rejected');
    expect((failing.value as Error).message).toBe('failing: Error: boom');
  });

  it('gives calls of one millisecond one signal, aborted at their deadline', async () => {
    const queue = new DeadlineQueue(100, true, keep);
    const signals: Array<AbortSignal | undefined> = [];
    const track = (deadline: { signal: AbortSignal | undefined }): Promise<never> => {
      signals.push(deadline.signal);
      return never();
    };
    const calls = [queue.run(track, 'a'), queue.run(track, 'b')];
    await jest.advanceTimersByTimeAsync(1);
    calls.push(queue.run(track, 'c'));
    for (const call of calls) call.catch(() => {});
    const [a, b, c] = signals;
    expect(a).toBeInstanceOf(AbortSignal);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    await jest.advanceTimersByTimeAsync(99);
    expect([a?.aborted, c?.aborted]).toEqual([true, false]);
    await jest.advanceTimersByTimeAsync(1);
    expect(c?.aborted).toBe(true);
  });

  it('leaves no timer behind once every call settled', async () => {
    const queue = new DeadlineQueue(100, false, keep);
    await Promise.all([queue.run(async () => 1, 'a'), queue.run(async () => 2, 'b')]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects a call whose work throws at once', async () => {
    const queue = new DeadlineQueue(100, false, keep);
    await expect(
      queue.run(() => {
        throw new Error('sync');
      }, 'a'),
    ).rejects.toThrow('sync');
    expect(jest.getTimerCount()).toBe(0);
  });
});
