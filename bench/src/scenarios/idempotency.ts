import { mainPath } from '../servers/routes';
import { bare } from './bare';
import type { Configuration, Framework, Scenario } from './scenario-types';

/** Every row sends one key; the servers decide whether a request is a first one or a replay. */
const keyHeader = { 'idempotency-key': '"bench-key"' };
/** A payment's body, POSTed by every row (the bare one too): the fingerprint hashes it. */
const paymentBody = JSON.stringify({ amount: 4200, currency: 'EUR', card: 'tok_visa' });

function idempotencyRows(framework: Framework): Configuration[] {
  const ours = framework === 'express' ? 'rediware idempotency' : 'rediware idempotency plugin';
  const row = (suffix: 'first' | 'replay', label: string, note: string): Configuration => ({
    key: `${framework}-idempotency-${suffix}`,
    label: `${ours}, ${label}`,
    framework,
    role: 'ours',
    server: `${framework}-idempotency-${suffix}`,
    path: mainPath,
    requestHeaders: keyHeader,
    postBody: paymentBody,
    note,
  });
  return [
    { ...bare(framework, mainPath), postBody: paymentBody },
    {
      ...row('first', 'first request', 'a key per request: look up and take the key, run the handler, store'),
      floorRoundTrips: 2,
    },
    {
      ...row('replay', 'replay', 'one key: the stored response, the handler does not run'),
      floorRoundTrips: 1,
    },
  ];
}

export const idempotencyScenario: Scenario = {
  name: 'idempotency',
  tables: [
    {
      id: 'idempotency',
      title: 'Idempotency-Key, first request and replay',
      description:
        'Every request POSTs a small JSON payment body with Idempotency-Key: "bench-key" to the route that answers { hello: "world" }; the bare row answers it with no middleware (the ceiling), after the same body parser. The first-request rows give each request its own scope (a counter in the server), so each one is new: one script takes the key, the handler runs, one script stores the response before it is sent. The replay rows share one scope: the warm-up stores the response, and every measured request is answered from it with Idempotent-Replayed: true. rediware on one ioredis client, default options. The fingerprint hashes the method, the URL and the parsed body.',
      configurations: [...idempotencyRows('express'), ...idempotencyRows('fastify')],
    },
  ],
};
