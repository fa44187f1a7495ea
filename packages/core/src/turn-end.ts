/**
 * One end-of-turn queue for the whole process: callbacks registered during an event-loop turn run
 * together in its check phase (one `setImmediate`), in the order they were registered, and so do
 * callbacks registered while the queue drains. A batch flushed at the end of the turn (the rate
 * limiter's consumes, the locker's operations) therefore sends its command before the write
 * coalescer uncorks the connection in that same drain; with a `setImmediate` of their own, a
 * command sent from one would wait for the next turn's check phase to leave.
 */
let queue: (() => void)[] = [];

/** Runs `callback` at the end of this event-loop turn, after the callbacks registered before it. */
export function atTurnEnd(callback: () => void): void {
  queue.push(callback);
  if (queue.length === 1) setImmediate(drain);
}

function drain(): void {
  const failed: unknown[] = [];
  // New callbacks may be pushed while draining: they run in this drain too.
  for (let i = 0; i < queue.length; i++) {
    try {
      (queue[i] as () => void)();
    } catch (error) {
      failed.push(error);
    }
  }
  queue = [];
  // A throwing callback is the bug of its caller: thrown as setImmediate would, after the others ran.
  for (const error of failed) {
    process.nextTick(() => {
      throw error;
    });
  }
}
