/** Header values as the frameworks hand them over. */
export type HeaderValue = string | number | readonly string[] | undefined;
/** A response's or a request's headers, as Node and the frameworks hand them over. */
export type HeaderMap = Readonly<Record<string, HeaderValue>>;
