import type { Algorithm } from '@rediware/rate-limit';

/** Every algorithm of @rediware/rate-limit, each benched on its own. */
export const algorithms = [
  'fixed-window',
  'sliding-window',
  'sliding-log',
  'token-bucket',
] as const satisfies readonly Algorithm[];

export type { Algorithm };

// Fails the type check when the package gains an algorithm this list does not bench.
type Unbenched = Exclude<Algorithm, (typeof algorithms)[number]>;
export const everyAlgorithmBenched: [Unbenched] extends [never] ? true : never = true;
