import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { repositoryRoot } from '../src/pack-packages';
import { documentedFiles } from '../src/readme-blocks';

/** The anchors GitHub gives a Markdown file's headings: `## The key: host` is `#the-key-host`. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = (heading[1] ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The text without its fenced blocks (a `# comment` in a shell block is no heading). */
function withoutFences(markdown: string): string {
  return markdown.replace(/^\s*```[\s\S]*?^\s*```/gm, '');
}

/** The text without fenced blocks and code spans, whose brackets are code, not links. */
function withoutCode(markdown: string): string {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, '');
}

/**
 * Every relative link of `files` (`[text](../core/README.md#metrics)`, `[text](#options)`) whose
 * file or heading does not exist, as `<file>: <target>`. Links with a scheme are not followed.
 */
function brokenLinks(files: string[]): string[] {
  const broken: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const [, target = ''] of withoutCode(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z][a-z+.-]*:/i.test(target)) continue;
      const [path = '', anchor] = target.split('#');
      const linked = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
      const where = `${relative(repositoryRoot, file)}: ${target}`;
      if (!existsSync(linked)) broken.push(where);
      else if (anchor !== undefined && statSync(linked).isFile() && linked.endsWith('.md')) {
        if (!anchorsOf(readFileSync(linked, 'utf8')).has(anchor)) broken.push(where);
      }
    }
  }
  return broken;
}

test('every relative link of the READMEs and guides reaches its file and heading', () => {
  expect(brokenLinks(documentedFiles())).toEqual([]);
});

test('a missing file, a missing heading and a heading of another file are reported; code is not a link', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rediware-doc-links-'));
  try {
    writeFileSync(
      join(dir, 'other.md'),
      '# Other\n\n## The key: host, scheme and body\n\n## Not offered: `backoff`\n\n## Options\n\n## Options\n',
    );
    const file = join(dir, 'doc.md');
    writeFileSync(
      file,
      [
        '# Doc',
        '[ok](other.md#the-key-host-scheme-and-body) [ok](other.md#options-1) [ok](#doc)',
        '[ok](other.md#not-offered-backoff)',
        '[web](https://example.com/missing.md) [dir](.)',
        '[gone](missing.md) [no heading](other.md#options-2) [no anchor](#nothing)',
        '`[code](missing-too.md)`',
        '```md',
        '[fenced](missing-three.md)',
        '```',
      ].join('\n'),
    );
    expect(brokenLinks([file]).map((line) => line.replace(/^.*: /, ''))).toEqual([
      'missing.md',
      'other.md#options-2',
      '#nothing',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
