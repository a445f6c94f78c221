/**
 * The `bpfvm` command line. Exit codes, for every command: 0 success; 1 the program was rejected or a
 * violation happened; 2 a usage or input error. Errors are one line on stderr (and, with --json, a
 * `{"error":{…}}` line on stdout), never a stack trace.
 */
import { Argument, Command, CommanderError, Option } from 'commander';
import { BpfError } from '../errors.js';
import { asmCommand } from './commands/asm.js';
import { benchCommand } from './commands/bench.js';
import { conformanceCommand } from './commands/conformance.js';
import { disasmCommand } from './commands/disasm.js';
import { inspectCommand } from './commands/inspect.js';
import { kfuncsCommand } from './commands/kfuncs.js';
import { verifyCommand } from './commands/verify.js';
import { corpusCommand } from './commands/corpus.js';
import { runCommand } from './commands/run.js';
import { completionCommand, SHELLS } from './commands/completion.js';
import { fuzzCommand } from './commands/fuzz.js';
import { kernelDiffCommand } from './commands/kernel-diff.js';
import { EXIT, type Io } from './io.js';
import { count, namesHelp, positiveNumber } from './options.js';

export function buildCli(io: Io): Command {
  const program = new Command('bpfvm')
    .description('An eBPF virtual machine: assembler, disassembler, interpreter and simulated kernel')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: (s, write) => write(`bpfvm: ${s.replace(/^error: /, '')}`) })
    .showHelpAfterError(false);

  program
    .command('run')
    .description('run a program: an ELF object (.o), .s/.asm (assembler), .bin (raw bytecode) or .data (conformance test)')
    .argument('<file>')
    .option('--program <name>', 'the program of an ELF object to run (function or section name)')
    .option('--prog-type <type>', 'run a raw program as this program type (socket, tc, xdp, kprobe, BPF_PROG_TYPE_…)')
    .option('--expected-attach-type <name>', 'raw programs: the expected attach type (CGROUP_GETSOCKOPT, BPF_CGROUP_INET4_CONNECT…)')
    .option('--target-prog-type <type>', 'EXT (freplace) programs: the type of the program they extend (xdp, cgroup/getsockopt…)')
    .option('--data <hex>', 'packet data (data_in) for packet program types')
    .option('--data-file <file>', 'packet data from a file')
    .option('--ctx <hex>', 'context input (ctx_in)')
    .option('--ctx-file <file>', 'context input from a file')
    .option('--repeat <n>', 'run N times (BPF_PROG_TEST_RUN repeat, a u32); report the last run', count('--repeat', { min: 0, max: 0xffffffff, what: 'a u32 (0 to 4294967295, as BPF_PROG_TEST_RUN takes it)' }))
    .option('--mem <hex>', 'input memory of an instruction-set run: r1 points to it, r2 holds its length')
    .option('--caps <list>', 'the loader\'s capabilities: bpf,perfmon,net_admin,sys_admin,sys_boot, all or none', 'all')
    .option('--sleepable', 'load a raw program as sleepable (BPF_F_SLEEPABLE)')
    .option('--null-inject <mode>', 'KF_RET_NULL kfuncs return NULL: off, always or random:SEED', 'off')
    .option('--kfuncs <names>', 'raw programs: a kfunc call with imm i calls the i-th name of this list')
    .option('--no-verify', 'run without the verifier (run-time checks alone)')
    .option('--event <file>', 'tracing programs: run for this event (JSON: args, ret, tracepoint fields, globals)')
    .option('--kernel-model <file>', 'the kernel model the event runs against (JSON: objects by id with field paths, current)')
    .option('--trace', 'print each executed instruction with the registers it changed')
    .option('--check-states', 'check every executed instruction\'s registers and stack against the verifier\'s abstract states')
    .option('--strict', 'with --check-states: a state escape is a violation')
    .option('--json', 'print the result as one JSON line')
    .option('--budget <n>', 'instruction budget', count('--budget'), 1_000_000)
    .addOption(new Option('--tier <tier>', 'execution tier: interp, wasm (compiled to WebAssembly, every check kept) or auto (the interpreter until the program has run as many instructions as compiling it costs, then wasm)').choices(['interp', 'wasm', 'auto']).default('auto'))
    .option('--time-limit <ms>', 'wall-clock limit of the run, all repeats together', count('--time-limit'), 10_000)
    .option('--memory-limit <bytes>', 'memory of the simulated kernel for maps (ENOMEM past it)', count('--memory-limit', { min: 0 }), 512 * 1024 * 1024)
    .option('--output-limit <lines>', 'trace_printk lines kept; the rest are counted (outputDropped)', count('--output-limit', { min: 0 }), 10_000)
    .option('--kernel-btf <file>', 'the kernel\'s vmlinux BTF (raw or gzipped, e.g. /sys/kernel/btf/vmlinux) instead of Linux 6.1\'s')
    .option('--dump-maps', 'print every map after the run (keys and values decoded by their BTF types when the object has BTF)')
    .option('--decode <type>', 'decode ring-buffer and perf records as this type of the object\'s BTF, e.g. \'struct event\'')
    .addHelpText('after', namesHelp)
    .action((file: string, opts) => { io.code = runCommand(io, file, opts); });

  program
    .command('disasm')
    .description('print a program as text')
    .argument('<file>')
    .addOption(new Option('--style <style>', 'output syntax').choices(['kernel', 'llvm', 'mnemonic']).default('kernel'))
    .option('--program <name>', 'the program of an ELF object (function or section name)')
    .option('--json', 'print one JSON line: {"insns":[{"insn","text","source"?}…]}')
    .action((file: string, opts) => { io.code = disasmCommand(io, file, opts); });

  program
    .command('verify')
    .description('verify a program as Linux 6.1 would (BPF_PROG_LOAD\'s checks and the verifier); prints the log')
    .argument('<file>')
    .option('--program <name>', 'the program of an ELF object (function or section name)')
    .option('--prog-type <type>', 'the program type of a raw program')
    .option('--expected-attach-type <name>', 'raw programs: the expected attach type (CGROUP_GETSOCKOPT, BPF_CGROUP_INET4_CONNECT…)')
    .option('--target-prog-type <type>', 'EXT (freplace) programs: the type of the program they extend (xdp, cgroup/getsockopt…)')
    .option('--caps <list>', 'the loader\'s capabilities (bpf,perfmon,net_admin,sys_admin,sys_boot, all or none)', 'all')
    .option('--log-level <n>', 'verifier log level 0, 1 or 2', '1')
    .option('--json', 'print one JSON line: {"verdict","errno","message","processed","log"}')
    .option('--xlated', 'also print the program after the verifier\'s rewrites (bpftool prog dump xlated; "xlated" in --json)')
    .option('--kernel-btf <file>', 'the kernel\'s vmlinux BTF (raw or gzipped, e.g. /sys/kernel/btf/vmlinux) instead of Linux 6.1\'s')
    .addHelpText('after', namesHelp)
    .action((file: string, opts) => { io.code = verifyCommand(io, file, opts); });

  program
    .command('corpus')
    .description('run a test_verifier corpus or a realworld truth file (JSON lines) against the kernel\'s answers')
    .argument('<file.jsonl>')
    .addOption(new Option('--mode <mode>', 'test_verifier: privileged, unprivileged or both').choices(['priv', 'unpriv', 'both']).default('both'))
    .option('--json', 'test_verifier: one JSON line per mode; realworld: one per program and a summary')
    .option('--causes', 'realworld: the programs whose verdict or last line differs, by cause')
    .addOption(new Option('--tier <tier>', 'test_verifier: the tier of the test runs: interp, wasm (compiled to WebAssembly, every check kept) or auto').choices(['interp', 'wasm', 'auto']).default('auto'))
    .action((file: string, opts) => { io.code = corpusCommand(io, file, opts); });

  program
    .command('kfuncs')
    .description('list every registered kfunc: name, BTF id, flags, program types')
    .option('--json', 'print one JSON line')
    .action((opts) => { io.code = kfuncsCommand(io, opts); });

  program
    .command('inspect')
    .description('list the programs, maps and BTF of an ELF object')
    .argument('<file.o>')
    .option('--json', 'print one JSON line')
    .option('--core', 'list each CO-RE relocation and what it resolves to against the kernel\'s BTF')
    .option('--kernel-btf <file>', 'the kernel BTF for --core: a vmlinux BTF file, raw or gzipped')
    .action((file: string, opts) => { io.code = inspectCommand(io, file, opts); });

  program
    .command('asm')
    .description('assemble a program to raw bytecode')
    .argument('<file>')
    .requiredOption('-o, --output <file>', 'output file (.bin)')
    .addOption(new Option('--endian <order>', 'byte order').choices(['le', 'be']).default('le'))
    .option('--json', 'print one JSON line: {"output","insns","bytes"}')
    .action((file: string, opts) => { io.code = asmCommand(io, file, opts); });

  program
    .command('conformance')
    .description('run every .data file of a BPF conformance suite folder')
    .argument('<dir>')
    .option('--json', 'last line: {"total":N,"passed":N,"failed":[names],"tier"}')
    .addOption(new Option('--tier <tier>', 'execution tier: interp, wasm (compiled to WebAssembly, every check kept) or auto').choices(['interp', 'wasm', 'auto']).default('auto'))
    .action((dir: string, opts) => { io.code = conformanceCommand(io, dir, opts); });

  program
    .command('bench')
    .description('run the benchmark programs on every tier')
    .option('--json', 'one JSON line per program and tier')
    .option('--only <names>', 'comma-separated program names (sum-squares, fnv1a, byte-sum, insertion-sort, typed-xdp; kernel-btf, hash-memory, wasm-costs)')
    .option('--max-time <seconds>', 'time budget per measurement', positiveNumber('--max-time'), 2)
    .addOption(new Option('--tier <tier>', 'BPF tiers to measure: interp, wasm, or auto (both, with ratios)').choices(['interp', 'wasm', 'auto']).default('auto'))
    .action((opts) => { io.code = benchCommand(io, opts); });

  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish), made from these command definitions')
    .addArgument(new Argument('<shell>').choices(SHELLS))
    .action((shell: string) => { io.code = completionCommand(io, program, shell); });

  program
    .command('fuzz')
    .description('generate programs at the verifier\'s edges; run each accepted one with state checks; save findings minimized')
    .option('--prog-type <types>', 'comma-separated program types to generate: socket, xdp, tc (all by default)')
    .option('--seconds <n>', 'run for N seconds (10 by default)')
    .option('--count <n>', 'run N programs (per shard) instead of a time')
    .option('--seed <s>', 'campaign seed, a u32 (random by default; printed in the summary)')
    .option('--workers <k>', 'worker threads', '1')
    .option('--shard <i/n>', 'run shard i of n (1 <= i <= n): program indices k with k mod n = i-1')
    .option('--out <dir>', 'where findings are saved (.s, .data, .input.json, .json, .seed)', 'bpfvm-fuzz')
    .option('--runs <n>', 'random inputs each accepted program runs on', '4')
    .option('--kernel <target>', 'also load the programs into a real kernel (qemu:6.1, qemu:6.12 or host) in batches; a verdict that differs is a finding')
    .option('--oracle <dir>', 'with --kernel: the kernel oracle (../shared/oracle by default, or $BPFVM_SHARED/oracle)')
    .option('--batch <n>', 'with --kernel: programs per kernel batch (one VM each)', count('--batch', { max: 100_000 }), 2000)
    .option('--json', 'one line per finding; last line {"programs","accepted","runs","findings","byKind","seconds","seed"}')
    .action((opts) => { io.code = fuzzCommand(io, opts); });

  program
    .command('kernel-diff')
    .description('load the same programs into a real Linux kernel and into bpfvm; compare verdict, errno, last log line and test run')
    .argument('<input>', 'an ELF object (every program), a .s file, a folder of .o/.s (a fuzz --out folder), or a test_verifier corpus .jsonl')
    .option('--kernel <target>', 'the kernel: qemu:6.1 or qemu:6.12 (../shared/oracle\'s VM) or host')
    .option('--oracle <dir>', 'the kernel oracle (../shared/oracle by default, or $BPFVM_SHARED/oracle)')
    .option('--prog-type <type>', '.s files without a .input.json: their program type (socket_filter by default)')
    .option('--data <hex>', 'test-run packet for programs without an input of their own')
    .option('--batch <n>', 'programs per kernel batch (one VM each)', count('--batch', { max: 100_000 }), 2000)
    .option('--json', 'one line per program {"id","bpfvm","kernel","agree"}, then a summary line')
    .action((input: string, opts) => { io.code = kernelDiffCommand(io, input, opts); });

  return program;
}

/** Run the CLI; returns the exit code. */
export function main(argv: readonly string[], io: Io): number {
  const json = argv.includes('--json');
  try {
    const cli = buildCli(io);
    if (argv.length === 0) {
      // No command: the help, and a failure (nothing was done).
      io.err(cli.helpInformation());
      return EXIT.REJECTED;
    }
    cli.parse(argv as string[], { from: 'user' });
    return io.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.OK;
      if (json) io.out(JSON.stringify({ error: { kind: 'usage', message: e.message.replace(/^error: /, '') } }) + '\n');
      return EXIT.INPUT;
    }
    if (e instanceof BpfError) {
      io.err(`bpfvm: ${oneLine(e.message)}\n`);
      if (json) io.out(JSON.stringify({ error: { ...e.toJSON(), message: oneLine(e.message) } }) + '\n');
      return EXIT.INPUT;
    }
    // Anything else is a bug of bpfvm's own: one line naming it as one, the stack only when debugging.
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    io.err(`bpfvm: internal error (a bpfvm bug, please report it): ${oneLine(what)}\n`);
    if (io.debug === true && e instanceof Error && e.stack !== undefined) io.err(e.stack + '\n');
    if (json) io.out(JSON.stringify({ error: { kind: 'internal', message: oneLine(what) } }) + '\n');
    return EXIT.INTERNAL;
  }
}

/** A message as one line of output. */
function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
