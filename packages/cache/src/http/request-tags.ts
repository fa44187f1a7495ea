import type { CacheRequest } from './cache-request';
import type { RoutePolicy } from './options';
import { pathOf } from './request-key';

/** Engine tags: user tags and path tags kept apart so neither can invalidate the other by accident. */
export function userTag(tag: string): string {
  return `tag:${tag}`;
}

export function pathTag(path: string): string {
  return `path:${path}`;
}

/** The engine tags of a request's stored response: its path's, and the route's `tags` option. */
export function requestTags<Req>(request: CacheRequest<Req>, policy: RoutePolicy<Req>): string[] {
  return [pathTag(pathOf(request.url)), ...(policy.tags?.(request.req) ?? []).map(userTag)];
}
