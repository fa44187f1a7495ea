import type { Script } from '@rediware/core';
import { fixedWindowScript } from './fixed-window-script';
import type { PolicyReply } from './policy';
import { slidingLogScript } from './sliding-log-script';
import { slidingWindowScript } from './sliding-window-script';
import { tokenBucketScript } from './token-bucket-script';

export const algorithms = ['fixed-window', 'sliding-window', 'sliding-log', 'token-bucket'] as const;
/** How a limiter counts: `'fixed-window'`, `'sliding-window'`, `'sliding-log'` or `'token-bucket'`. */
export type Algorithm = (typeof algorithms)[number];

export const algorithmScripts: Record<Algorithm, Script<PolicyReply>> = {
  'fixed-window': fixedWindowScript,
  'sliding-window': slidingWindowScript,
  'sliding-log': slidingLogScript,
  'token-bucket': tokenBucketScript,
};
