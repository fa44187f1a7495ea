import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rediwareErrorCodes } from '../src';

const packages = join(__dirname, '../..');

/** The codes in the first column of the README's table of codes, in its order. */
function readmeCodes(): string[] {
  const readme = readFileSync(join(__dirname, '../README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('| code '));
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
  return rows.map((row) => /^\| `(ERR_RW_[A-Z_]+)`/.exec(row)?.[1] ?? row);
}

/** Every whole `ERR_RW_...` code written in a source file of any package, but the list itself. */
function sourceCodes(): Set<string> {
  const found = new Set<string>();
  for (const name of readdirSync(packages)) {
    const src = join(packages, name, 'src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((file) =>
      file.endsWith('.ts'),
    );
    for (const file of files) {
      if (name === 'core' && file === 'error-codes.ts') continue;
      // A prefix such as `startsWith('ERR_RW_REDIS_')` ends in `_`: not a code.
      for (const [code] of readFileSync(join(src, file), 'utf8').matchAll(/ERR_RW_[A-Z_]*[A-Z](?![A-Z_])/g)) {
        found.add(code);
      }
    }
  }
  return found;
}

describe('error codes', () => {
  it('the README table lists the codes of the union, in its order', () => {
    expect(readmeCodes()).toEqual([...rediwareErrorCodes]);
  });

  it('lists every code the packages use, and no other', () => {
    expect([...sourceCodes()].sort()).toEqual([...rediwareErrorCodes].sort());
  });
});
