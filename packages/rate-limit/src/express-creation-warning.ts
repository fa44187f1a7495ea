/**
 * express-rate-limit's "created in a request handler" validation, as a process warning fired once
 * per process: a limiter made while answering a request is a new limiter per request (its own
 * script loads, listeners and, without `redis`, its own memory count that never reaches the limit).
 *
 * Detected as express-rate-limit detects it, from the creating call's stack: a frame of Express's
 * router calling a middleware or route handler (Express 4's `Layer.handle [as handle_request]`,
 * Express 5's `Layer.handleRequest`, or their error-handler twins). Read once per limiter created,
 * never per request. A limiter created after an `await` in an async handler has no such frame left
 * and is not detected.
 */
const routerFrame = /\bLayer\.(handle \[as handle_request\]|handleRequest |handle_error |handleError )/;

let warned = false;

/** Warns (once per process) when the caller runs inside an Express request handler. */
export function warnIfCreatedInHandler(): void {
  if (warned) return;
  const limit = Error.stackTraceLimit;
  // Deep enough to reach the router through a few wrappers of the application's own.
  Error.stackTraceLimit = 50;
  const { stack } = new Error('rateLimit() created');
  Error.stackTraceLimit = limit;
  if (stack === undefined || !routerFrame.test(stack)) return;
  warned = true;
  process.emitWarning(
    '@rediware/rate-limit: rateLimit() was called while Express was answering a request, so every request gets a new limiter. ' +
      'Create the limiter once when the app starts, and app.use() it or pass it to the routes it limits.',
    { code: 'RW_LIMITER_IN_HANDLER' },
  );
}
