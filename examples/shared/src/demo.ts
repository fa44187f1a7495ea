/** `pnpm demo [express | fastify]`: starts that shop (Express when none is named). */
const shops: Record<string, string> = {
  express: '../../express-shop/src/main.ts',
  fastify: '../../fastify-shop/src/main.ts',
};
const args = process.argv.slice(2).filter((arg) => arg !== '--');
const name = (args[0] ?? 'express').replace(/-shop$/, '');
const entry = shops[name];
if (entry === undefined) {
  console.error(`pnpm demo: no shop named "${name}"; try one of: ${Object.keys(shops).join(', ')}`);
  process.exit(1);
}
await import(entry);

export {};
