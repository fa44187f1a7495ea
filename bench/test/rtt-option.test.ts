import { parseSettings } from '../src/options';
import { rttsToMeasure } from '../src/runner/run-rtt';

const rttOf = (...argv: string[]) => {
  const settings = parseSettings(argv, {});
  if (settings === 'help') throw new Error('help');
  return settings.rtt;
};

describe('--rtt', () => {
  it('takes one RTT or a list; --quick measures 1 ms unless told; off or a full run: none', () => {
    expect(rttOf('--rtt', '0.5,1')).toEqual([0.5, 1]);
    expect(rttOf('--rtt', '2')).toEqual([2]);
    expect(rttOf('--quick')).toEqual([1]);
    expect(rttOf('--quick', '--rtt', 'off')).toEqual([]);
    expect(rttOf()).toEqual([]);
    expect(() => rttOf('--rtt', '1,fast')).toThrow(/--rtt/);
    expect(() => rttOf('--rtt', '-1')).toThrow(/--rtt/);
  });

  it('always measures RTT 0 as well, the proxy’s own cost', () => {
    expect(rttsToMeasure([1, 0.5])).toEqual([0, 0.5, 1]);
    expect(rttsToMeasure([0])).toEqual([0]);
  });
});
