import type { MaybePromise } from './maybe-promise';

/**
 * Whether a finished request succeeded, for the refund rules: `requestWasSuccessful(req, res)` when
 * given, else a status below 400; a response the client left first (`statusCode` undefined) failed.
 * A callback that throws gives undefined (no refund): it runs in a response event, where a throw
 * would end the process, and no request is left to fail.
 */
export function requestOutcome<Req, Res>(
  requestWasSuccessful: ((req: Req, res: Res) => MaybePromise<boolean>) | undefined,
): (req: Req, res: Res, statusCode: number | undefined) => MaybePromise<boolean | undefined> {
  return (req, res, statusCode) => {
    if (statusCode === undefined) return false;
    if (requestWasSuccessful === undefined) return statusCode < 400;
    try {
      return requestWasSuccessful(req, res);
    } catch {
      return undefined;
    }
  };
}
