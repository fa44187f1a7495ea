import type { Framework } from './proxy-apps';
import type { PublishedResult, Score } from './score';

const row = (name: string, score: Score) =>
  `| ${name} | ${score.required} / ${score.requiredTotal} | ${score.optimal} / ${score.optimalTotal} |`;

/** Ours beside the results the suite ships, judged by the same rules over the same tests. */
export function conformanceTable(
  ours: Array<{ framework: Framework; score: Score }>,
  published: Array<PublishedResult & { score: Score }>,
): string {
  const lines = [
    '| cache | required passed | optimal passed |',
    '|---|---|---|',
    ...ours.map(({ framework, score }) => row(`**@rediware/cache, ${framework}** (this run)`, score)),
    ...published
      .sort((a, b) => b.score.required - a.score.required)
      .map((entry) =>
        row(`${entry.name}${entry.version ? ` ${entry.version}` : ''} (published)`, entry.score),
      ),
  ];
  for (const { framework, score } of ours)
    lines.push('', `${framework}: required tests not passed: ${score.requiredFailed.join(', ') || 'none'}`);
  return lines.join('\n');
}
