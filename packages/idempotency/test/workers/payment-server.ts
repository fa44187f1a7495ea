// An Express app with one idempotent route on the shared Redis: reports its URL, serves until killed.
import type { AddressInfo } from 'node:net';
import type { RedisClient } from '@rediware/core';
import express from 'express';
import { idempotency } from '../../src/express';
import { connect, type WorkerTarget } from './connect';

const target = JSON.parse(process.env.RW_TARGET as string) as WorkerTarget;
const { client, incr } = await connect(target);
const app = express();
app.post(
  '/payments',
  express.json(),
  idempotency({ redis: client as RedisClient, wait: '10s' }),
  (req, res) => {
    // Counted in Redis, so the test sees the runs of every process; slow enough for retries to pile up.
    void incr('{payments}:runs').then(() =>
      setTimeout(
        () => res.status(201).json({ id: `${process.pid}-${Math.random()}`, amount: req.body.amount }),
        200,
      ),
    );
  },
);
const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
