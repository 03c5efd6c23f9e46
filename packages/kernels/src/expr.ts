/**
 * Renders an op-table expression (ops.ts) with its variables replaced, so a fused kernel
 * in any language reuses the table's one spelling of an op (sign, the max-tie share, …)
 * instead of re-spelling it: `render(UNARY_OPS.sign.wgsl, { x: 'v' })`. Variables are
 * whole words (`x`, `a`, `b` in JavaScript and WGSL; `X`, `A`, `B` in Wasm text), replaced
 * in one pass, so a replacement may itself contain the names.
 */
export function render(expr: string, vars: Readonly<Record<string, string>>): string {
  const names = Object.keys(vars);
  if (names.length === 0) return expr;
  return expr.replace(new RegExp(`\\b(${names.join('|')})\\b`, 'g'), (m) => vars[m]!);
}
