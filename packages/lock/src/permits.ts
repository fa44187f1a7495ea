/**
 * Semaphore permits of one holder (redis-semaphore's MultiSemaphore). A holder that takes p > 1
 * permits is the owner `<uuid>*<p>`, and holds p members of the key's sorted set: the owner and
 * `<owner>#2` .. `<owner>#p`, all scored by the same expiry. So ZCARD still counts the permits in
 * use, and extend and release, given only the owner, find every member. A one-permit owner is the
 * plain uuid, as before.
 */
export const permitsLua = `
local function permits_of(owner)
  return tonumber(string.match(owner, '%*(%d+)$')) or 1
end

local function permit_members(owner)
  local members = { owner }
  for i = 2, permits_of(owner) do members[i] = owner .. '#' .. i end
  return members
end
`;

/** The owner of a holder that takes `permits` permits. */
export function ownerWithPermits(id: string, permits: number): string {
  return permits === 1 ? id : `${id}*${permits}`;
}

export function permitsOf(owner: string): number {
  const match = /\*(\d+)$/.exec(owner);
  return match ? Number(match[1]) : 1;
}

/** The sorted-set members an owner holds, as `permit_members` in Lua. */
export function permitMembers(owner: string): string[] {
  return Array.from({ length: permitsOf(owner) }, (_, i) => (i === 0 ? owner : `${owner}#${i + 1}`));
}
