import { readFileSync } from 'node:fs';

/** The machine's CPU time so far, from /proc/stat's `cpu` line (in USER_HZ ticks). */
export interface CpuTimes {
  steal: number;
  total: number;
}

/** Undefined where there is no /proc/stat (macOS, Windows). */
export function cpuTimes(): CpuTimes | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const line = stat.split('\n').find((one) => one.startsWith('cpu '));
  if (line === undefined) return undefined;
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice).
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { steal: ticks[7] ?? 0, total: ticks.reduce((sum, tick) => sum + tick, 0) };
}

/**
 * The share of CPU time the hypervisor gave to other guests between two readings: on a shared
 * virtual machine, a run with much steal measured a slower machine than its neighbours did.
 */
export function stealShare(before: CpuTimes | undefined, after: CpuTimes | undefined): number | undefined {
  if (before === undefined || after === undefined || after.total <= before.total) return undefined;
  return (after.steal - before.steal) / (after.total - before.total);
}
