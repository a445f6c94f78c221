/**
 * Why bpfvm's answer on a realworld program differs from the real kernel's: a short cause class per
 * disagreeing program, by rules read in order (the first that matches names the cause). Each rule looks
 * at the kernel's answer, bpfvm's, and the program's section and type; none names a program.
 */
import type { BpfvmAnswer, RealworldCase } from './realworld-case.js';

export interface CauseRule {
  cause: string;
  /** What the class means, for `bpfvm corpus --causes`. */
  means: string;
  test: (c: RealworldCase, b: BpfvmAnswer) => boolean;
}

/** The instruction libbpf writes where a CO-RE relocation found no target (`call 0xbad2310`). */
const POISON = 'invalid func unknown#195896080';

const env = (c: RealworldCase, re: RegExp): boolean => c.category === 'env' && re.test(c.env_class ?? '');
const refused = (b: BpfvmAnswer, re: RegExp): boolean => b.verdict === 'refused' && re.test(b.message);
/** BTF-typed program types: their context arguments and walks come from the kernel's BTF. */
const BTF_TYPED = /^(tp_btf|fentry|fexit|fmod_ret|lsm|lsm_cgroup|iter)(\.s)?\//;
const maskIds = (s: string): string => s.replace(/#\d+/g, '#N');

export const CAUSE_RULES: readonly CauseRule[] = [
  {
    cause: 'internal-error', means: 'bpfvm threw an internal error',
    test: (_c, b) => b.verdict === 'error',
  },
  {
    cause: 'attach-target',
    means: 'the attach target is not in the reference kernel (bpf_testmod, another BPF program, a missing function): finding it needs the real vmlinux BTF',
    test: (c, b) => env(c, /^attach target missing/) && b.verdict !== 'refused',
  },
  {
    cause: 'module-kfunc',
    means: 'a kfunc or ksym of a module the reference kernel had not loaded (bpf_testmod, nf_conntrack): bpfvm has it built in',
    test: (c, b) => env(c, /^kfunc\/ksym missing/) && b.verdict !== 'refused',
  },
  {
    cause: 'libbpf-linked-object',
    means: 'libbpf 1.1.2 cannot relocate this bpftool-linked object; bpfvm loads it',
    test: (c, b) => env(c, /bpftool-linked object/) && b.verdict !== 'refused',
  },
  {
    cause: 'config-prog-type',
    means: 'the reference kernel refuses the program type before verifying (Debian 6.1 has no CONFIG_BPF_LIRC_MODE2); bpfvm models the type',
    test: (c, b) => env(c, /^rejected before the verifier/) && b.verdict !== 'refused',
  },
  {
    cause: 'refusal-step',
    means: 'both refuse the load before the verifier, at different steps',
    test: (c, b) => c.category === 'env' && b.verdict === 'refused',
  },
  {
    cause: 'btf-id',
    means: 'the same message but for BTF ids (the simulated vmlinux BTF numbers its types differently)',
    test: (c, b) => b.verdict === 'rejected' && c.kernel_verdict === 'rejected' && b.message !== c.kernel_message &&
      maskIds(b.message) === maskIds(c.kernel_message),
  },
  {
    cause: 'core-unresolved',
    means: 'an instruction CO-RE poisoned because the simulated kernel BTF lacks the type or field the kernel has',
    test: (c, b) => b.message === POISON && c.kernel_message !== POISON,
  },
  {
    cause: 'ksym-missing',
    means: 'a __ksym variable or kallsyms symbol the simulated kernel lacks',
    test: (_c, b) => refused(b, /extern \((var )?ksym\) '[^']+': not found in (kallsyms|kernel BTF)/),
  },
  {
    cause: 'kfunc-missing',
    means: 'a kfunc the reference kernel has and the simulated kernel lacks',
    test: (_c, b) => refused(b, /extern \(func ksym\) '[^']+': not found in kernel or module BTFs/),
  },
  {
    cause: 'uninit-stack-6.1.176',
    means: 'the reference 6.1.176 refuses helper reads of stack no write allocated; bpfvm follows 6.1.192 (the test_verifier corpus\'s kernel), which allows them when privileged',
    test: (c, b) => b.verdict === 'accepted' && /^(Caller passes invalid args into func#\d+|invalid indirect read from stack .*)$/.test(c.kernel_message),
  },
  {
    cause: 'lsm-hook-return',
    means: 'the return rules of an LSM hook come from its BTF prototype (void hooks), which the simulated BTF lacks',
    test: (c) => /LSM hooks can't modify return value/.test(c.kernel_message),
  },
  {
    cause: 'btf-ctx-arg',
    means: 'BTF-typed tracing, LSM or iterator arguments (or pointers walked from them) seen as scalars: their types come from the kernel BTF',
    test: (c, b) => BTF_TYPED.test(c.section.replace(/^\?/, '')) && b.verdict === 'rejected' &&
      /^R\d+ (invalid mem access 'scalar'|type=scalar expected=)/.test(b.message),
  },
  {
    cause: 'core-unresolved',
    means: 'an instruction CO-RE poisoned because the simulated kernel BTF lacks the type or field the kernel has',
    test: (_c, b) => (b.coreUnresolved ?? 0) > 0,
  },
];

export function classifyCause(c: RealworldCase, b: BpfvmAnswer): string {
  return CAUSE_RULES.find((r) => r.test(c, b))?.cause ?? 'unclassified';
}

export function causeMeaning(cause: string): string {
  return CAUSE_RULES.find((r) => r.cause === cause)?.means ?? 'not classified yet';
}
