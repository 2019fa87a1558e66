// The training options as command-line options, generated from their table
// (src/core/train/train-options.ts): the parseArgs options, the --help lines with each
// command's defaults, and reading and checking the values.
import {
  describeTrainRange,
  isValidTrainOption,
  TRAIN_OPTION_SPECS,
  type TrainOptionKey,
  type TrainOptionValues,
} from '../core/train/train-options';
import { decimalValue, UsageError } from './args';
import { helpEntry, type OptionValues } from './param-options';

/** parseArgs options of these training options (each takes a value). */
export function trainOptionFlags(keys: readonly TrainOptionKey[]): Record<string, { type: 'string' }> {
  return Object.fromEntries(keys.map((k) => [TRAIN_OPTION_SPECS[k].flag, { type: 'string' as const }]));
}

/** --help lines of these options with a command's defaults (`help` replaces the table's phrase where a command words it its own way). */
export function trainOptionHelp(
  keys: readonly TrainOptionKey[],
  defaults: Partial<TrainOptionValues>,
  help: Partial<Record<TrainOptionKey, string>> = {},
): string {
  return keys
    .map((k) => {
      const spec = TRAIN_OPTION_SPECS[k];
      const range = `${spec.min}..${spec.max}`;
      const dflt = defaults[k] === undefined ? '' : `; default ${defaults[k]}`;
      return helpEntry(`--${spec.flag} ${spec.metavar}`, `${help[k] ?? spec.help} (${range}${dflt})`);
    })
    .join('\n');
}

/** One training option's value, or undefined when it was not given; throws UsageError for a value outside its range. */
export function trainOptionFromValue(values: OptionValues, key: TrainOptionKey): number | undefined {
  const spec = TRAIN_OPTION_SPECS[key];
  const raw = values[spec.flag];
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' ? decimalValue(raw) : Number.NaN;
  if (!isValidTrainOption(key, value))
    throw new UsageError(`--${spec.flag}: '${String(raw)}' is not a valid value (${describeTrainRange(spec)})`);
  return value;
}
