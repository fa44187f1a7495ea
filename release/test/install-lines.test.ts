import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installLines } from '../src/install-lines';
import { publicPackages } from '../src/pack-packages';

/** The text of a README's `## Install` section, up to the next heading. */
function installSection(readme: string): string {
  const start = readme.indexOf('\n## Install\n');
  if (start === -1) return '';
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

// release:check installs each line of installLines alone: the README must tell users exactly
// those commands, or the check proves something the README does not say.
test.each(publicPackages().map(({ name, dir }) => [name, dir]))(
  "%s: the README's Install commands are the ones release:check installs",
  (name, dir) => {
    const section = installSection(readFileSync(join(dir, 'README.md'), 'utf8'));
    expect(section).not.toBe('');
    const inReadme = [...section.matchAll(/npm i ([^`#\n]+)/g)].map((match) => match[1]?.trim());
    const checked = installLines
      .filter((line) => line.install[0] === name)
      .map((line) => line.install.join(' '));
    const fenced = [...section.matchAll(/^npm i ([^#\n]+)/gm)].map((match) => match[1]?.trim());
    // Every command in the README's code block is checked, and every checked line is in the README.
    for (const command of fenced)
      expect({ command, checked: checked.includes(command ?? '') }).toEqual({ command, checked: true });
    for (const line of checked)
      expect({ line, inReadme: inReadme.includes(line) }).toEqual({ line, inReadme: true });
  },
);
