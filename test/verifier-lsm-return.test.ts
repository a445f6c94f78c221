/**
 * check_return_code for LSM programs: R0 is not looked at on void hooks; on hooks returning int it must be
 * set; LSM_CGROUP programs return 0 or 1, and only 1 on void hooks (with the kernel's note).
 * Kernel truth (Linux 6.1 through ../shared/oracle, raw programs with attach_btf, caps all):
 *   lsm_mac inet_csk_clone `exit` accepted; lsm_mac bpf `exit` "R0 !read_ok" (EACCES); lsm_mac bpf
 *   `r0 = r10; exit` accepted (privileged pointer leak); lsm_cgroup socket_post_create r0=2 "At program exit the
 *   register R0 has value (0x2; 0x0) should have been in (0x0; 0x1)" (EINVAL), r0=1 accepted; lsm_cgroup
 *   inet_csk_clone r0=1 accepted, r0=0 "... should have been in (0x1; 0x0)" then "Note, BPF_LSM_CGROUP that
 *   attach to void LSM hooks can't modify return value!" (EINVAL).
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { verify } from '../src/verifier/index.js';
import { kernelPlatform } from '../kernel-sim/platform.js';

const caps = new Set(['CAP_BPF', 'CAP_PERFMON', 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN'] as const);
const check = (attach: string, hook: string, src: string) =>
  verify(assemble(src), { prog: { type: 'LSM', expectedAttachType: attach, attachTo: hook }, platform: kernelPlatform(), caps, logLevel: 1 });

describe('LSM return codes (check_return_code)', () => {
  const cases: [string, string, string, string, string, number][] = [
    ['a void hook needs no R0', 'LSM_MAC', 'inet_csk_clone', 'exit', '', 0],
    ['an int hook reads R0', 'LSM_MAC', 'bpf', 'exit', 'R0 !read_ok', 13],
    ['an int hook takes any value (a privileged pointer too)', 'LSM_MAC', 'bpf', 'r0 = r10\nexit', '', 0],
    ['lsm_cgroup on an int hook: 0 or 1', 'LSM_CGROUP', 'socket_post_create', 'r0 = 2\nexit',
      'At program exit the register R0 has value (0x2; 0x0) should have been in (0x0; 0x1)', 22],
    ['lsm_cgroup on an int hook returns 1', 'LSM_CGROUP', 'socket_post_create', 'r0 = 1\nexit', '', 0],
    ['lsm_cgroup on a void hook returns 1', 'LSM_CGROUP', 'inet_csk_clone', 'r0 = 1\nexit', '', 0],
    ['lsm_cgroup on a void hook cannot return 0', 'LSM_CGROUP', 'inet_csk_clone', 'r0 = 0\nexit',
      "Note, BPF_LSM_CGROUP that attach to void LSM hooks can't modify return value!", 22],
  ];
  for (const [name, attach, hook, src, last, errno] of cases) {
    it(name, () => {
      const r = check(attach, hook, src);
      if (last === '') {
        expect(r.verdict, r.log).toBe('accepted');
        return;
      }
      expect(r.verdict).toBe('rejected');
      expect(r.errno).toBe(errno);
      const lines = r.log.trimEnd().split('\n');
      expect(lines[lines.length - 2]).toBe(last);
    });
  }
  it('the void-hook rejection prints the range line before the note', () => {
    const r = check('LSM_CGROUP', 'inet_csk_clone', 'r0 = 0\nexit');
    expect(r.log).toContain('At program exit the register R0 has value (0x0; 0x0) should have been in (0x1; 0x0)\nNote, BPF_LSM_CGROUP');
  });
});
