/**
 * Records every unhandled rejection while the calling test file runs (registers jest hooks, so
 * call it at the top level of a file or describe). Returns the reasons seen so far.
 */
export function useUnhandledRejections(): () => unknown[] {
  const reasons: unknown[] = [];
  const record = (reason: unknown): void => void reasons.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', record);
  });
  afterAll(() => {
    process.off('unhandledRejection', record);
  });
  return () => reasons;
}
