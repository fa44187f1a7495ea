/**
 * Steps that run after each test of the calling file or describe, passed or failed, last
 * registered first: an app, a client or a killed master a test started is closed or restored
 * even when an assertion threw before the test's own cleanup. Without it, a failed test leaves a
 * client reconnecting forever and jest never exits. Registers an `afterEach` hook, so call it at
 * the top level of a file or describe; returns `defer(step)`.
 */
export function useCleanup(): (step: () => unknown) => void {
  const steps: Array<() => unknown> = [];
  afterEach(async () => {
    const errors: unknown[] = [];
    for (const step of steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'cleanup failed');
  });
  return (step) => void steps.push(step);
}
