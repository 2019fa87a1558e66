// Option parsing for the subcommands, on node:util's parseArgs, with typed numeric options.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

export function parse<const T extends Options>(argv: string[], options: T, help: string) {
  try {
    const parsed = parseArgs({ args: argv, options: { ...options, ...HELP_OPTION }, allowPositionals: true, strict: true });
    return { ...parsed, wantsHelp: Boolean((parsed.values as { help?: boolean }).help), help };
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${help}`);
  }
}

export function numberOption(value: unknown, name: string, check?: (v: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (!Number.isFinite(v) || (check && !check(v))) throw new UsageError(`--${name}: '${String(value)}' is not a valid value`);
  return v;
}

export function listOption(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
