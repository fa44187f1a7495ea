import { join } from 'node:path';
import { sourceTree } from '../src/source-imports';

describe('testing layering', () => {
  it('has no import cycle, type imports included', () => {
    const tree = sourceTree(join(__dirname, '../src'));
    for (const file of tree.files)
      for (const target of tree.localImports(file)) expect(tree.files).toContain(target);
    expect(tree.cycles()).toEqual([]);
  });
});
