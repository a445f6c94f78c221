/** include/linux/license.h: the licence strings the kernel counts as GPL-compatible (gpl_compatible). */
const GPL_COMPATIBLE: ReadonlySet<string> = new Set([
  'GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL',
]);

export function licenseIsGplCompatible(license: string): boolean {
  return GPL_COMPATIBLE.has(license);
}

/** prog->gpl_compatible; a program loaded without a licence string is taken as GPL. */
export function gplCompatible(prog: { license?: string }): boolean {
  return prog.license === undefined || licenseIsGplCompatible(prog.license);
}
