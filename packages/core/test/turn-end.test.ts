import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { atTurnEnd } from '../src';

const run = (file: string, args: string[]) =>
  promisify(execFile)(file, args, { cwd: fileURLToPath(new URL('..', import.meta.url)) });

describe('atTurnEnd', () => {
  it('runs the callbacks of a turn together, in order, with those they add', async () => {
    const ran: string[] = [];
    await new Promise<void>((resolve) => {
      atTurnEnd(() => {
        ran.push('a');
        // A setImmediate made now runs in the next turn: after everything of this drain.
        setImmediate(() => {
          ran.push('next turn');
          resolve();
        });
        atTurnEnd(() => ran.push('c'));
      });
      atTurnEnd(() => ran.push('b'));
      ran.push('sync');
    });
    expect(ran).toEqual(['sync', 'a', 'b', 'c', 'next turn']);
  });
});

describe('atTurnEnd with a throwing callback', () => {
  it('still runs the others and later turns, then throws the error as an uncaught exception', async () => {
    // In a process of its own: Jest would fail this test on the uncaught exception itself.
    const script = `
      import { atTurnEnd } from './src/turn-end.ts';
      process.on('uncaughtException', (error) => console.log('uncaught:', error.message));
      atTurnEnd(() => { throw new Error('broken callback'); });
      atTurnEnd(() => console.log('same turn'));
      setTimeout(() => atTurnEnd(() => console.log('later turn')), 10);
    `;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    expect(stdout.trim().split('\n')).toEqual(['same turn', 'uncaught: broken callback', 'later turn']);
  });
});
