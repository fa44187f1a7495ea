// Takes a lock, reports its fencing token, and keeps it (auto-extended) until it is killed.
import type { RedisClient } from '@rediware/core';
import { createLocker } from '../../src';
import { connect, type WorkerTarget } from './connect';

const target = JSON.parse(process.env.RW_TARGET as string) as WorkerTarget;
const { client } = await connect(target);
const locker = createLocker({ redis: client as RedisClient });
const lock = await locker.acquire(process.env.RW_KEY as string, { ttl: Number(process.env.RW_TTL) });
process.stdout.write(`${JSON.stringify({ fencingToken: lock.fencingToken })}\n`);
setInterval(() => {}, 60_000);
