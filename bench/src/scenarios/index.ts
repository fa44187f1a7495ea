import { cacheScenario } from './cache';
import { idempotencyScenario } from './idempotency';
import { lockScenario } from './lock';
import { rateLimitScenario } from './rate-limit';
import type { Scenario } from './scenario-types';
import { sessionScenario } from './session';

export const scenarios: Scenario[] = [
  rateLimitScenario,
  sessionScenario,
  cacheScenario,
  lockScenario,
  idempotencyScenario,
];
