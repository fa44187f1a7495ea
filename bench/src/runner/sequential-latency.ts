import { Agent, request } from 'node:http';

/** A route to send requests to, with the headers of its row (and its body: a POST). */
export interface SequentialTarget {
  url: string;
  headers: Record<string, string>;
  body?: string;
}

function timedGet(target: SequentialTarget, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const method = target.body === undefined ? 'GET' : 'POST';
    const sent = request(target.url, { agent, method, headers: target.headers }, (response) => {
      response.resume();
      response.once('end', () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
      response.once('error', reject);
    });
    sent.once('error', reject);
    sent.end(target.body);
  });
}

/**
 * Requests one at a time for `durationSec`, taking the targets in turn (A B, then B A, so neither
 * always follows the other), each on its own keep-alive connection: every response's time in ms,
 * per target. Taken in turn, a row and its bare framework share every moment of the run, so a
 * machine that slows down for a while slows both alike.
 */
export async function sequentialLatencies(
  targets: readonly SequentialTarget[],
  durationSec: number,
): Promise<number[][]> {
  const agents = targets.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  const times: number[][] = targets.map(() => []);
  const deadline = Date.now() + durationSec * 1000;
  try {
    for (let cycle = 0; Date.now() < deadline; cycle++) {
      for (let turn = 0; turn < targets.length; turn++) {
        const index = cycle % 2 === 0 ? turn : targets.length - 1 - turn;
        times[index]?.push(await timedGet(targets[index] as SequentialTarget, agents[index] as Agent));
      }
    }
  } finally {
    for (const agent of agents) agent.destroy();
  }
  return times;
}
