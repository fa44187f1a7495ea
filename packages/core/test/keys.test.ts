import fc from 'fast-check';
import {
  checkPrefix,
  createKeyspace,
  escapeGlob,
  hashTagOf,
  identityTag,
  RediwareConfigError,
  slotOf,
  slotTags,
} from '../src';
import { globToRegExp } from '../src/memory-backend';

describe('keys', () => {
  const keyspace = createKeyspace('rw:', 'rl');

  it('builds <prefix><feature>:{<identity>}:<suffix>', () => {
    expect(keyspace.key('user-1', 'w')).toBe('rw:rl:{user-1}:w');
    expect(keyspace.key('203.0.113.9', 'w')).toBe('rw:rl:{203.0.113.9}:w');
    expect(hashTagOf(keyspace.key('user-1', 'w'))).toBe('user-1');
    expect(keyspace.tagOf('rw:rl:{user-1}:w')).toBe('user-1');
    expect(keyspace.tagOf('other:{user-1}:w')).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['long', 'x'.repeat(65)],
    ['braces', 'a}b{c'],
    ['glob characters', '*?[]'],
    ['a space', 'a b'],
    ['NUL', 'a\0b'],
    ['unicode', 'ünïcødé-😀'],
    ['newline', 'a\r\nb'],
  ])('hashes an identity with %s into a safe tag', (_, identity) => {
    const tag = identityTag(identity);
    expect(tag).toMatch(/^#[A-Za-z0-9_-]{27}$/);
    expect(identityTag(identity)).toBe(tag);
  });

  it('hashes binary identities and keeps distinct identities distinct', () => {
    expect(identityTag(Buffer.from([0, 255, 1]))).toMatch(/^#/);
    expect(identityTag('a b')).not.toBe(identityTag('a  b'));
  });

  it('a plain identity never collides with a hashed one', () => {
    expect(identityTag('abc')).toBe('abc');
    expect(identityTag(`#${'a'.repeat(27)}`)).not.toBe(`#${'a'.repeat(27)}`);
  });

  it('for any identity, the key stays inside the prefix, has one hash tag and matches the SCAN pattern', () => {
    const matcher = globToRegExp(keyspace.pattern('w'));
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.uint8Array().map(Buffer.from)),
        (identity) => {
          const key = keyspace.key(identity, 'w');
          expect(key.startsWith('rw:rl:{')).toBe(true);
          expect(key.split('{').length).toBe(2);
          expect(key.split('}').length).toBe(2);
          expect(hashTagOf(key)).toBe(identityTag(identity));
          expect(matcher.test(key)).toBe(true);
        },
      ),
    );
  });

  it('escapes glob characters of a prefix in SCAN patterns', () => {
    expect(escapeGlob('a*b?c[d]\\')).toBe('a\\*b\\?c\\[d\\]\\\\');
    const odd = createKeyspace('app[1]*:', 'c');
    const matcher = globToRegExp(odd.pattern('v'));
    expect(matcher.test(odd.key('k', 'v'))).toBe(true);
    expect(matcher.test('app1xx:c:{k}:v')).toBe(false);
  });

  it.each([['a{b'], ['a}'], ['a b'], [42], ['x'.repeat(129)]])('rejects prefix %p', (prefix) => {
    expect(() => checkPrefix(prefix)).toThrow(RediwareConfigError);
    expect(() => createKeyspace(prefix as string, 'rl')).toThrow(/`prefix`/);
  });

  it('hashTagOf follows Redis Cluster rules', () => {
    expect(hashTagOf('plain')).toBe('plain');
    expect(hashTagOf('a{}b{c}')).toBe('a{}b{c}');
    expect(hashTagOf('a{b}c{d}')).toBe('b');
    expect(hashTagOf('a{b')).toBe('a{b');
  });
});

describe('slot tags', () => {
  it('names one short tag for every cluster slot, in that slot', () => {
    const tags = slotTags();
    expect(tags).toHaveLength(16384);
    expect(tags.every((tag, slot) => slotOf(tag) === slot && /^[0-9a-z]{1,4}$/.test(tag))).toBe(true);
    expect(slotTags()).toBe(tags);
  });

  it("finds a key's slot from its hash tag", () => {
    expect(slotOf('order:1')).toBe(slotOf('rw:lock:{order:1}:lock'));
    expect(slotOf('{order:1}')).toBe(slotOf('order:1'));
  });
});
