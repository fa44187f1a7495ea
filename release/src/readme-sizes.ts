import { readFileSync } from 'node:fs';

/** The sizes a package README states on its Install section: `Size: 58 kB packed, 209 kB unpacked`. */
export interface StatedSize {
  packedKb: number;
  unpackedKb: number;
}

/** Reads the stated size of a README (the sentence may wrap across lines), or undefined when it has none. */
export function statedSize(readme: string): StatedSize | undefined {
  const text = readFileSync(readme, 'utf8').replace(/\s+/g, ' ');
  const match = /Size: (\d+) kB packed, (\d+) kB unpacked/.exec(text);
  return match ? { packedKb: Number(match[1]), unpackedKb: Number(match[2]) } : undefined;
}

/**
 * How a README's stated size differs from the tarball's, or undefined when it is within 10 % (a
 * README is not rewritten on every patch): a README that promised 40 kB for a 59 kB tarball is a
 * README that drifted.
 */
export function sizeDrift(
  stated: StatedSize | undefined,
  packedBytes: number,
  unpackedBytes: number,
): string | undefined {
  const packedKb = Math.round(packedBytes / 1024);
  const unpackedKb = Math.round(unpackedBytes / 1024);
  const measured = `Size: ${packedKb} kB packed, ${unpackedKb} kB unpacked`;
  if (!stated) return `states no size; write "${measured}" in its Install section`;
  const off = (said: number, is: number) => Math.abs(said - is) > Math.max(2, is * 0.1);
  if (off(stated.packedKb, packedKb) || off(stated.unpackedKb, unpackedKb))
    return `says "Size: ${stated.packedKb} kB packed, ${stated.unpackedKb} kB unpacked"; the tarball is "${measured}"`;
  return undefined;
}
