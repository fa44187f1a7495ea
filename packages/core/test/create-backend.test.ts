import { createBackend, MemoryBackend } from '../src';

describe('createBackend without a client', () => {
  const env = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = env;
  });

  it('runs on memory and warns once per package when NODE_ENV is production', async () => {
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    process.env.NODE_ENV = 'production';
    const first = createBackend({ packageName: '@rediware/test-a' });
    const second = createBackend({ packageName: '@rediware/test-a' });
    const other = createBackend({ packageName: '@rediware/test-b' });
    expect(first).toBeInstanceOf(MemoryBackend);
    expect(emitWarning.mock.calls.map(([message]) => message)).toEqual([
      expect.stringMatching(/^@rediware\/test-a runs on the in-process memory backend/),
      expect.stringMatching(/^@rediware\/test-b runs on the in-process memory backend/),
    ]);
    emitWarning.mockRestore();
    await Promise.all([first.close(), second.close(), other.close()]);
  });

  it('does not warn outside production', async () => {
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    process.env.NODE_ENV = 'development';
    const backend = createBackend({ packageName: '@rediware/test-c' });
    expect(emitWarning).not.toHaveBeenCalled();
    emitWarning.mockRestore();
    await backend.close();
  });
});
