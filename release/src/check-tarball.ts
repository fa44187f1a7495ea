import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import type { PackedPackage } from './pack-packages';
import { repositoryRoot } from './pack-packages';

const run = promisify(execFile);

export interface TarballReport {
  name: string;
  /** Bytes of the `.tgz`, as npm downloads it. */
  packedBytes: number;
  /** Bytes of its files once unpacked, as they sit in node_modules. */
  unpackedBytes: number;
  files: number;
  /** publint's messages at strict level (warnings count as errors); empty when it passes. */
  publint: string[];
  /** attw's report when a resolution (node10, node16 CJS/ESM, bundler) has a problem; empty when it passes. */
  attw: string;
}

/** Lints the tarball itself (what npm would publish), not the folder it was packed from. */
export async function checkTarball({ name, tarball }: PackedPackage): Promise<TarballReport> {
  const { stdout: listing } = await run('tar', ['-tzvf', tarball]);
  const sizes = listing
    .trim()
    .split('\n')
    .map((line) => Number(line.trim().split(/\s+/)[2]));
  const data = readFileSync(tarball);
  const lint = await publint({
    pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) },
    strict: true,
  });
  const attw = join(repositoryRoot, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
  let attwReport = '';
  try {
    await run(process.execPath, [attw, tarball, '--format', 'table-flipped', '--no-color'], {
      timeout: 120_000,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    attwReport = `${stdout ?? ''}${stderr ?? ''}`.trim() || String(error);
  }
  return {
    name,
    packedBytes: statSync(tarball).size,
    unpackedBytes: sizes.reduce((sum, size) => sum + size, 0),
    files: sizes.length,
    publint: lint.messages.map((message) => `${message.type}: ${formatMessage(message, lint.pkg)}`),
    attw: attwReport,
  };
}
