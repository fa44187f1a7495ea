/**
 * A request header value as it goes into a Vary key, normalised so that requests the origin
 * cannot tell apart share the variant (RFC 9111 §4.1: only where the field's own syntax says the
 * forms are the same). For the Accept family, whose syntax is a list of case-insensitive tokens:
 * items trimmed of spaces and tabs and empty ones dropped (`' gzip, , br '` is `'gzip,br'`),
 * ASCII letters lower-cased, and Accept-Language's ranges sorted by q-value then name
 * (`'de, en'` is `'en, de'`), with `q=1` dropped. Any other field's syntax is unknown here: its value is kept as it came (Node has already
 * trimmed the edges), so `'a,b'`, `'a, b'` and `','` stay three variants.
 */
export function normalisedVaryValue(name: string, value: string): string {
  if (name !== 'accept-language' && !caseInsensitive.has(name)) return withoutOws(value);
  const items = value
    .split(',')
    .map(withoutOws)
    .filter((item) => item !== '');
  if (name === 'accept-language') return languageRanges(items);
  return items.map(asciiLowerCase).join(',');
}

/**
 * Only spaces and tabs are whitespace in HTTP (RFC 9110 §5.6.3); String#trim would also drop
 * obs-text such as 0xa0, merging values the origin sees as different.
 */
const withoutOws = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, '');
/** Tokens are case-insensitive in ASCII only; obs-text such as 0xc0 keeps its case. */
const asciiLowerCase = (value: string) => value.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());

const caseInsensitive = new Set(['accept', 'accept-charset', 'accept-encoding']);

function languageRanges(items: readonly string[]): string {
  const ranges = items.map((item) => {
    const [range = '', ...params] = item.split(';').map((part) => asciiLowerCase(withoutOws(part)));
    const q = params.find((param) => param.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    return { range, weight: Number.isNaN(weight) ? 1 : weight };
  });
  ranges.sort((a, b) => b.weight - a.weight || (a.range < b.range ? -1 : a.range > b.range ? 1 : 0));
  return ranges.map(({ range, weight }) => (weight === 1 ? range : `${range};q=${weight}`)).join(',');
}
