import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '../src/pack-packages';
import { sizeDrift, statedSize } from '../src/readme-sizes';

const publicPackages = ['cache', 'core', 'idempotency', 'lock', 'rate-limit', 'session'];

test('every public package README states its install size', () => {
  const packages = readdirSync(join(repositoryRoot, 'packages')).filter((name) =>
    publicPackages.includes(name),
  );
  expect(packages).toEqual(publicPackages);
  for (const name of packages)
    expect(statedSize(join(repositoryRoot, 'packages', name, 'README.md'))).toEqual({
      packedKb: expect.any(Number),
      unpackedKb: expect.any(Number),
    });
});

test('a stated size within 10 % passes; a drifted or missing one names the measured size', () => {
  const kB = 1024;
  expect(sizeDrift({ packedKb: 58, unpackedKb: 209 }, 60 * kB, 215 * kB)).toBeUndefined();
  expect(sizeDrift({ packedKb: 40, unpackedKb: 149 }, 59 * kB, 233 * kB)).toBe(
    'says "Size: 40 kB packed, 149 kB unpacked"; the tarball is "Size: 59 kB packed, 233 kB unpacked"',
  );
  expect(sizeDrift(undefined, 59 * kB, 233 * kB)).toMatch(/states no size/);
});
