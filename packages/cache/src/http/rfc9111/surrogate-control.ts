import type { HeaderValue } from './headers';

/** What Surrogate-Control says to this cache (W3C Edge Architecture note). */
export interface SurrogateDirectives {
  readonly maxAgeMs: number | undefined;
  readonly noStore: boolean;
}

/** Largest delta-seconds honoured (RFC 9111 §1.2.2): 2^31 seconds. */
export const maxDeltaSeconds = 2 ** 31;

/**
 * The Surrogate-Control directives meant for this cache: those without a target, and those
 * targeted (`max-age=60;edge`) at `target`, which win over untargeted ones. Directives targeted at
 * another device, and malformed ones (`max-age =1`), are ignored. undefined without the header.
 */
export function parseSurrogateControl(
  value: HeaderValue,
  target: string | undefined,
): SurrogateDirectives | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(',') : String(value);
  let untargeted: number | undefined;
  let targeted: number | undefined;
  let noStore = false;
  for (const part of text.split(',')) {
    const [directive = '', ...targets] = part.split(';');
    const mine = targets.length > 0;
    if (mine && (target === undefined || !targets.some((name) => name.trim() === target))) continue;
    const match = /^\s*([A-Za-z-]+)(?:=(\d+))?\s*$/.exec(directive);
    if (!match) continue;
    const name = match[1]?.toLowerCase();
    if (name === 'no-store') noStore = true;
    if (name !== 'max-age' || match[2] === undefined) continue;
    const ms = Math.min(Number(match[2]), maxDeltaSeconds) * 1000;
    if (mine) targeted ??= ms;
    else untargeted ??= ms;
  }
  return { maxAgeMs: targeted ?? untargeted, noStore };
}
