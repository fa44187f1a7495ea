/** The command that opens a URL in the default browser on this platform. */
function openCommand(url: string): string {
  if (process.platform === 'darwin') return `open ${url}`;
  if (process.platform === 'win32') return `start ${url}`;
  return `xdg-open ${url}`;
}

/**
 * What the demo prints once it listens at `url` (no trailing slash): the command that opens the
 * status page, and curl lines that make each plugin show on it.
 */
export function demoHints(url: string): string {
  const json = `-H 'content-type: application/json'`;
  return [
    '',
    `Status page (charts and totals, live): ${openCommand(`${url}/`)}`,
    '',
    'Try (each shows on the status page):',
    `  curl -si ${url}/products/1 | grep -i '^x-cache'    # response cache: MISS, run it again: HIT`,
    `  curl -s -c jar ${json} -d '{"user":"alice"}' ${url}/login; curl -s -b jar ${url}/me; echo`,
    '      # session: log in, then read the session back',
    `  for i in $(seq 40); do curl -s -o /dev/null -w '%{http_code} ' -X POST ${url}/carts/7/checkout & done; wait; echo`,
    '      # checkout lock: one at a time, the rest wait; past 5 s of waiting, 409',
    `  for i in 1 2 3; do curl -s -o /dev/null -D - -X POST -H 'Idempotency-Key: "order-1"' ${url}/carts/9/checkout | grep -iE '^(HTTP|idempotent)'; done`,
    '      # checkout Idempotency-Key: the first runs, the retries are replayed (Idempotent-Replayed: true)',
    `  for i in 1 2 3 4 5 6 7; do curl -s -o /dev/null -w '%{http_code} ' ${json} -d '{"user":"bob"}' ${url}/login; done; echo`,
    '      # login rate limit, 5 a minute per IP: 200 until the bucket is empty, then 429',
    '',
  ].join('\n');
}
