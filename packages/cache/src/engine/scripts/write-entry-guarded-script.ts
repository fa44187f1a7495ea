import { defineScript, type Script } from '@rediware/core';
import { giveBack, luaGiveBack, writeEntrySettledScript } from './write-entry-settled-script';

type WriteReply = Array<number | string>;

/** Refused by the guard: `[refused, the guard's reply]`. */
export const guardRefused = 2;

const composed = new WeakMap<Script<number>, Script<WriteReply>>();

/**
 * writeEntrySettledScript preceded by `guard` in the same script: the guard runs first, on its own
 * keys and arguments; when it replies anything but 1, nothing is written, the loader lock is given
 * back and the release published, as when a stamp moved. Defined once per guard script.
 * KEYS: writeEntrySettledScript's, then the guard's. ARGV: writeEntrySettledScript's, the guard's,
 * then the number of the guard's arguments and the number of its keys.
 * Reply: `[guardRefused, the guard's reply]`, or writeEntrySettledScript's.
 */
export function guardedWriteScript(guard: Script<number>): Script<WriteReply> {
  let script = composed.get(guard);
  if (script) return script;
  script = defineScript<WriteReply>({
    name: `${writeEntrySettledScript.name}+${guard.name}`,
    lua: `${luaGiveBack}
local function guard(KEYS, ARGV)
${guard.lua}
end
local function write(KEYS, ARGV)
${writeEntrySettledScript.lua}
end
local nk, na = tonumber(ARGV[#ARGV]), tonumber(ARGV[#ARGV - 1])
local wkeys, gkeys, wargv, gargv = {}, {}, {}, {}
for i = 1, #KEYS - nk do wkeys[i] = KEYS[i] end
for i = #KEYS - nk + 1, #KEYS do gkeys[#gkeys + 1] = KEYS[i] end
for i = 1, #ARGV - 2 - na do wargv[i] = ARGV[i] end
for i = #ARGV - 1 - na, #ARGV - 2 do gargv[#gargv + 1] = ARGV[i] end
local verdict = guard(gkeys, gargv)
if verdict ~= 1 then
  give_back(wkeys[2], wargv[6], wargv[9], wargv[10])
  return {${guardRefused}, verdict}
end
return write(wkeys, wargv)
`,
    memory: (context, keys, args) => {
      const keyCount = Number(args.at(-1));
      const argCount = Number(args.at(-2));
      const writeKeys = keys.slice(0, keys.length - keyCount);
      const writeArgs = args.slice(0, args.length - 2 - argCount);
      const verdict = Number(
        guard.memory(context, keys.slice(writeKeys.length), args.slice(writeArgs.length, -2)),
      );
      if (verdict === 1) return writeEntrySettledScript.memory(context, writeKeys, writeArgs);
      giveBack(context, writeKeys[1] as string, writeArgs[5], writeArgs[8], writeArgs[9]);
      return [guardRefused, verdict];
    },
  });
  composed.set(guard, script);
  return script;
}
