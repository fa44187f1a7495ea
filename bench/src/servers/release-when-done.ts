import type { ServerResponse } from 'node:http';

/**
 * Calls `release` once, when the response finishes or its connection closes, whichever comes
 * first, or at once if that already happened (a client that left while the lock was being
 * acquired: without this check the lock would stay held until its ttl). The same points at which
 * our guards release.
 */
export function releaseWhenDone(res: ServerResponse, release: () => void): void {
  if (res.writableFinished || res.destroyed) {
    release();
    return;
  }
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    release();
  };
  res.once('finish', once);
  res.once('close', once);
}
