import type { Configuration, Framework } from './scenario-types';

/** The framework's ceiling on `path`: the same route and handler, no middleware. */
export function bare(framework: Framework, path: string): Configuration {
  return {
    key: `${framework}-bare`,
    label: `${framework === 'express' ? 'Express 5' : 'Fastify 5'} bare`,
    framework,
    role: 'bare',
    server: `${framework}-bare`,
    path,
  };
}
