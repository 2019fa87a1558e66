// Option parsing for the subcommands, on node:util's parseArgs, with typed numeric options.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DrpnetError } from '../core/errors';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * What to print for an error that stops a command: the message of one the user can act on (a
 * bad argument, a typed engine error, a file-system problem said in words), the stack of a bug.
 */
export function stoppingMessage(e: unknown): string {
  const known = e instanceof DrpnetError || (e instanceof Error && (e.name === 'UsageError' || e.name === 'FileSystemError'));
  return known ? (e as Error).message : e instanceof Error ? (e.stack ?? e.message) : String(e);
}

type Options = NonNullable<ParseArgsConfig['options']>;

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * `--diameter -60` as `--diameter=-60`: parseArgs takes a value that starts with a dash only
 * after '=' (else it says the argument "is ambiguous"); joined, the option's own check says
 * what it takes. Only a negative number is joined, and only to an option that takes a value.
 */
export function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([^=]+)$/.exec(argv[i])?.[1];
    const next = argv[i + 1];
    if (argv[i] === '--') return [...out, ...argv.slice(i)];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\.?\d/.test(next))
      out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

/** The options of a diameter in Å, which the commands that pick or train take (diameter-options.ts). */
export const ANGSTROM_OPTIONS = ['diameter-angstrom', 'angpix'] as const;

export function parse<const T extends Options>(argv: string[], options: T, help: string) {
  try {
    const parsed = parseArgs({
      args: joinNegativeValues(argv, options),
      options: { ...options, ...HELP_OPTION },
      allowPositionals: true,
      strict: true,
    });
    return { ...parsed, wantsHelp: Boolean((parsed.values as { help?: boolean }).help), help };
  } catch (e) {
    const unknown = (e as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && /'--([^'=]+)/.exec((e as Error).message);
    const near = unknown ? nearestOption(unknown[1], Object.keys(options)) : undefined;
    if (unknown && (ANGSTROM_OPTIONS as readonly string[]).includes(unknown[1]) && 'diameter' in options)
      throw new UsageError(
        `--${unknown[1]}: this command takes the particle diameter in pixels (--diameter PX); the commands that pick or train also take it in Å`,
      );
    // RELION's "Number of threads" habit: pick is one process, several are run side by side.
    if (unknown && unknown[1] === 'j' && 'shard' in options)
      throw new UsageError(
        '--j: this command picks in one process; run several side by side with --shard I/N each (README, docs/slurm.md), or use relion-external --j N',
      );
    if (unknown) throw new UsageError(`unknown option --${unknown[1]}${near ? `; did you mean --${near}?` : ''}\n${help}`);
    throw new UsageError(`${(e as Error).message}\n${help}`);
  }
}

/** The option a mistyped one most likely meant: one it begins, else one at most two edits away. */
export function nearestOption(given: string, names: readonly string[]): string | undefined {
  const prefixed = names.filter((n) => n.startsWith(given));
  if (prefixed.length === 1) return prefixed[0];
  const edits = (a: string, b: string): number => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length];
  };
  const best = names.map((n) => ({ n, d: edits(given, n) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 2 ? best.n : undefined;
}

/** A decimal number as people write one: `140`, `-0.5`, `.5`, `1e-3`. Not what else JavaScript's
 * Number() accepts (`0x40`, `0b1`, `Infinity`, an empty string as 0). */
const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** The number a decimal option value gives, NaN for anything else (DECIMAL says what is decimal). */
export function decimalValue(value: unknown): number {
  return DECIMAL.test(String(value)) ? Number(value) : Number.NaN;
}

/** What a numeric option accepts: the test, and the words a refusal says it with. */
export interface NumberRule {
  readonly test: (v: number) => boolean;
  readonly says: string;
}
export const ANY_NUMBER: NumberRule = { test: () => true, says: 'a number' };
export const ABOVE_ZERO: NumberRule = { test: (x) => x > 0, says: 'a number above 0' };
export const WHOLE: NumberRule = { test: Number.isInteger, says: 'a whole number' };
/** Whole numbers from `min` up. */
export function wholeFrom(min: number): NumberRule {
  return { test: (x) => Number.isInteger(x) && x >= min, says: `a whole number, ${min} or more` };
}

export function numberOption(value: unknown, name: string, rule: NumberRule = ANY_NUMBER): number | undefined {
  if (value === undefined) return undefined;
  const v = decimalValue(value);
  if (!Number.isFinite(v) || !rule.test(v)) throw new UsageError(`--${name}: '${String(value)}' is not a valid value (${rule.says})`);
  return v;
}

/** A comma-separated list; given but empty (`""`, `,`: an unset shell variable) is an error. */
export function listOption(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) throw new UsageError(`--${name}: '${String(value)}' names no ${name}; give at least one`);
  return items;
}

/** A comma-separated list (listOption) of choices, in any case (`STAR,box`); an unknown one is an error naming the choices. */
export function choiceListOption<T extends string>(value: unknown, name: string, choices: readonly T[]): T[] | undefined {
  return listOption(value, name)?.map((item) => {
    const choice = choices.find((c) => c.toLowerCase() === item.toLowerCase());
    if (choice === undefined) throw new UsageError(`--${name}: unknown ${name} '${item}' (use ${choices.join(', ')})`);
    return choice;
  });
}

/** A file or folder name; given but empty (an unset shell variable) is an error, never "here". */
export function pathOption(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && value.trim() === '') throw new UsageError(`--${name}: the path is empty`);
  return value;
}
