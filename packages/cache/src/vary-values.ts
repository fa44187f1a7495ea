/**
 * A request header value as it goes into a Vary key, normalised so that requests the origin
 * cannot tell apart share the variant: list items trimmed (`' 1, 2 '` is `'1,2'`), lower-cased for
 * the Accept family (their tokens are case-insensitive), and Accept-Language's ranges sorted by
 * q-value then name (`'de, en'` is `'en, de'`), with `q=1` dropped.
 */
export function normalisedVaryValue(name: string, value: string): string {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (name === 'accept-language') return languageRanges(items);
  if (caseInsensitive.has(name)) return items.map((item) => item.toLowerCase()).join(',');
  return items.join(',');
}

const caseInsensitive = new Set(['accept', 'accept-charset', 'accept-encoding']);

function languageRanges(items: readonly string[]): string {
  const ranges = items.map((item) => {
    const [range = '', ...params] = item.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    return { range, weight: Number.isNaN(weight) ? 1 : weight };
  });
  ranges.sort((a, b) => b.weight - a.weight || (a.range < b.range ? -1 : a.range > b.range ? 1 : 0));
  return ranges.map(({ range, weight }) => (weight === 1 ? range : `${range};q=${weight}`)).join(',');
}
