import { rttTableMarkdown } from '../src/report/rtt-markdown';
import type { RttCell, RttRowResult, RttTableResult } from '../src/runner/run-rtt';
import type { Configuration, Table } from '../src/scenarios/scenario-types';

const row = (role: Configuration['role'], addedP50: number[], floorRoundTrips?: number): RttRowResult => ({
  configuration: {
    key: role,
    label: role,
    framework: 'express',
    role,
    server: role,
    path: '/',
    ...(floorRoundTrips === undefined ? {} : { floorRoundTrips }),
  },
  sentPerRequest: 1,
  samples: [],
  cells: [0, 1].map((rttMs, index): RttCell => {
    const latency = { p50: 0, p99: 0, addedP50: addedP50[index] ?? 0, addedP99: 0 };
    return { rttMs, sequential: latency, underLoad: { ...latency, reqPerSec: 1, vsBare: 1 } };
  }),
});

const table: Table = { id: 't', title: 'T', description: '', configurations: [] };
const report = (ours: RttRowResult): string[] => {
  const result: RttTableResult = {
    table,
    rtts: [0, 1],
    rows: [row('bare', [0, 0]), row('anchor', [0.4, 1.5]), ours],
  };
  return rttTableMarkdown(result, 50)
    .split('\n')
    .filter((line) => line.startsWith('| Express | **ours**'));
};

describe('issue #35’s RTT target in the sequential table', () => {
  it('met: at most floor × RTT + 0.3 ms over RTT 0, and at or below the anchor', () => {
    expect(report(row('ours', [0.3, 1.4], 1))[0]).toContain('1.10 ≤ 1.30: met');
  });

  it('missed: a second round trip where the floor is one', () => {
    expect(report(row('ours', [0.3, 2.5], 1))[0]).toContain(
      '2.20 > 1.30, above anchor at 1 ms (+1.00): missed',
    );
  });

  it('missed: within the bar but slower than the anchor', () => {
    expect(report(row('ours', [0.1, 1.6], 2))[0]).toContain(
      '1.50 ≤ 2.30, above anchor at 1 ms (+0.10): missed',
    );
  });
});
