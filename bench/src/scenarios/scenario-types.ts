import type { Address } from '@rediware/testing';
import type { EngineTable } from '../engine/measure';
import type { HandoffResult } from '../handoff/handoff';

export type Framework = 'express' | 'fastify';

/**
 * `bare`: the framework with no middleware (the ceiling, "× bare" divides by it);
 * `anchor`: the established package of the scenario ("× anchor" divides by it);
 * `ours`: rediware; `other`: another established package, shown for comparison.
 */
export type Role = 'bare' | 'anchor' | 'ours' | 'other';

export interface Configuration {
  /** Unique in its table; names the row in the JSON output. */
  key: string;
  label: string;
  framework: Framework;
  role: Role;
  /** The server (servers/registry.ts) the child process runs. */
  server: string;
  /** The route under load. */
  path: string;
  /**
   * The address the server listens on, 127.0.0.1 unless set. `'::'` is dual-stack, as
   * `app.listen(port)` binds by default: the load still connects to 127.0.0.1, and reaches the
   * server as `::ffff:127.0.0.1`, the way every IPv4 client reaches such a server.
   */
  host?: '::';
  /** Another way to measure a row of ours (another algorithm, a non-default setting): `--quick` leaves it out. */
  detail?: true;
  /** Headers sent with every request of the row (its warm-up and MONITOR probe too). */
  requestHeaders?: Record<string, string>;
  /** The row POSTs this JSON body (content-type application/json) instead of sending a GET. */
  postBody?: string;
  /** Log in during warm-up and send the session cookie with every request. */
  session?: boolean;
  /** What the row's numbers mean beyond the label (settings that differ from the defaults). */
  note?: string;
  /**
   * Rows of ours: the fewest round trips to Redis its request can wait for (issue #35's floor),
   * the bar of its RTT target.
   */
  floorRoundTrips?: number;
  /** A row of ours that measures another case than the table's anchor (a miss beside its hits): the RTT target does not compare them. */
  unlikeAnchor?: true;
}

/** A table's bare framework, its anchor, or its main row of ours: not another package, not a detail. */
export function isMainRow({ role, detail }: Configuration): boolean {
  return role !== 'other' && !detail;
}

/** One Markdown table: configurations measured under the same load, compared with each other. */
export interface Table {
  id: string;
  title: string;
  /** What is measured, printed above the table. */
  description: string;
  /** A table beside the scenario's main ones: `--quick` leaves it out. */
  detail?: true;
  configurations: Configuration[];
}

export interface ScenarioContext {
  redis: Address;
  handoffRounds: number;
  /** Seconds each engine contender runs per round, rounds, and operations watched with MONITOR. */
  duration: number;
  rounds: number;
  probeRequests: number;
}

export interface Scenario {
  name: string;
  tables: Table[];
  /** Measurements outside the HTTP load (the lock hand-off), run after the tables. */
  extra?: (context: ScenarioContext) => Promise<HandoffResult[]>;
  /** Engine-level tables (no HTTP): one operation at a time in the bench process. */
  engine?: (context: ScenarioContext) => Promise<EngineTable[]>;
}
