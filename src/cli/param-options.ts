// The pick parameters as command-line options, all generated from the parameter table
// (src/core/params.ts): the parseArgs options, the --help lines, and reading and checking the
// values. A parameter added to the table is an option of every command that takes these.
import {
  DEFAULT_PICK_PARAMS,
  describeRange,
  isValidParam,
  PARAM_KEYS,
  PARAM_SPECS,
  type NumberParam,
  type ParamKey,
  type PickParams,
} from '../core/params';
import { decimalValue, UsageError } from './args';

type OptionType = 'string' | 'boolean';

/** Parsed option values by option name (parseArgs, or relion-external's RELION-style reader). */
export type OptionValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** parseArgs options of these parameters: a number takes a value, a boolean is a bare flag. */
export function paramOptions(keys: readonly ParamKey[] = PARAM_KEYS): Record<string, { type: OptionType }> {
  return Object.fromEntries(keys.map((k) => [PARAM_SPECS[k].flag, { type: PARAM_SPECS[k].kind === 'boolean' ? 'boolean' : 'string' }]));
}

/** Column where --help text starts after the option. */
const HELP_COLUMN = 23;
const HELP_WIDTH = 100;

/** One --help entry: the option, then its text wrapped under the help column. */
export function helpEntry(option: string, text: string): string {
  const lines: string[] = [];
  const head = `  ${option}`;
  // An option too long for the column gets a line of its own.
  if (head.length > HELP_COLUMN - 2) lines.push(head);
  let line = (head.length > HELP_COLUMN - 2 ? '' : head).padEnd(HELP_COLUMN - 1) + ' ';
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && line.length + 1 + word.length > HELP_WIDTH) {
      lines.push(line);
      line = ' '.repeat(HELP_COLUMN);
      empty = true;
    }
    line += (empty ? '' : ' ') + word;
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

function numberHelp(spec: NumberParam, instead?: string): string {
  const unit = spec.unit ? ` ${spec.unit}` : '';
  const required = instead ? `required, or ${instead}` : 'required';
  return `${spec.help} (${spec.min}..${spec.max}${unit}; ${spec.required ? required : `default ${spec.default}`})`;
}

/** --help lines of these parameters (`instead`: the option a command takes in place of a required one). */
export function paramHelp(keys: readonly ParamKey[] = PARAM_KEYS, instead: Partial<Record<ParamKey, string>> = {}): string {
  return keys
    .map((k) => {
      const spec = PARAM_SPECS[k];
      if (spec.kind === 'boolean') return helpEntry(`--${spec.flag}`, spec.flagHelp ?? spec.help);
      return helpEntry(`--${spec.flag} ${spec.metavar}`, numberHelp(spec, instead[k]));
    })
    .join('\n');
}

/** One parameter's value from its option, or undefined when the option was not given. */
export function paramFromOption<K extends ParamKey>(values: OptionValues, key: K): PickParams[K] | undefined {
  const spec = PARAM_SPECS[key];
  const raw = values[spec.flag];
  if (raw === undefined) return undefined;
  if (spec.kind === 'boolean') return (raw === true ? spec.flagSets : !spec.flagSets) as PickParams[K];
  // Written as people write numbers (args.ts): '0x40', '' and 'Infinity' are refused, not read as 64, 0 and infinity.
  const value = typeof raw === 'string' ? decimalValue(raw) : Number.NaN;
  if (!isValidParam(key, value)) throw new UsageError(`--${spec.flag}: '${String(raw)}' is not a valid value (${describeRange(spec)})`);
  return value as PickParams[K];
}

/** The parameters whose options were given, checked; throws UsageError for a bad one. */
export function givenParams(values: OptionValues): Partial<PickParams> {
  const out: Record<string, number | boolean> = {};
  for (const k of PARAM_KEYS) {
    const v = paramFromOption(values, k);
    if (v !== undefined) out[k] = v;
  }
  return out as Partial<PickParams>;
}

/** Every parameter from the options, defaults for those not given; throws UsageError for a bad or missing one
 * (`notRequired`: required ones another option stands in for). */
export function paramsFromOptions(
  values: OptionValues,
  help: string,
  given = givenParams(values),
  notRequired: readonly ParamKey[] = [],
): PickParams {
  for (const k of PARAM_KEYS) {
    const spec = PARAM_SPECS[k];
    if (given[k] === undefined && spec.kind === 'number' && spec.required && !notRequired.includes(k))
      throw new UsageError(`--${spec.flag} is required\n${help}`);
  }
  return { ...DEFAULT_PICK_PARAMS, ...given };
}
