// redlock 5.0.0-beta.2 ships types, but its package.json "exports" does not point at them, so
// TypeScript sees an untyped module. The runtime import stays the package's; the types come from
// the .d.ts file by path.
// @ts-expect-error TS7016: see above
import RedlockRuntime from 'redlock';
import type RedlockClass from '../../node_modules/redlock/dist/index';

export type { Lock, Settings } from '../../node_modules/redlock/dist/index';
export const Redlock = RedlockRuntime as typeof RedlockClass;
export type Redlock = RedlockClass;
