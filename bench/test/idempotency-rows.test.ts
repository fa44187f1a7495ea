import { measuredRows } from '../src/runner/run-scenario';
import { idempotencyScenario } from '../src/scenarios/idempotency';
import { serverFactories } from '../src/servers/registry';

describe('the idempotency table', () => {
  const [table] = idempotencyScenario.tables;
  if (!table) throw new Error('no idempotency table');

  it('--quick measures every row: bare, first request and replay for each framework', () => {
    expect(measuredRows(table, { preset: 'quick', framework: undefined }).map(({ key }) => key)).toEqual([
      'express-bare',
      'express-idempotency-first',
      'express-idempotency-replay',
      'fastify-bare',
      'fastify-idempotency-first',
      'fastify-idempotency-replay',
    ]);
  });

  it('every row has a server and POSTs one JSON body; ours send an Idempotency-Key and have their round-trip floor', () => {
    for (const row of table.configurations) {
      expect(serverFactories[row.server]).toBeDefined();
      expect(JSON.parse(row.postBody ?? '')).toEqual({ amount: 4200, currency: 'EUR', card: 'tok_visa' });
      if (row.role === 'bare') continue;
      expect(row.requestHeaders).toEqual({ 'idempotency-key': '"bench-key"' });
      expect(row.floorRoundTrips).toBe(row.key.endsWith('-first') ? 2 : 1);
    }
  });
});
