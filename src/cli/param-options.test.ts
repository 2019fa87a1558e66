import { describe, expect, it } from 'vitest';
import { DEFAULT_PICK_PARAMS, PARAM_KEYS, PARAM_SPECS } from '../core/params';
import { parse, UsageError } from './args';
import { paramHelp, paramsFromOptions } from './param-options';
import { PICK_OPTIONS } from './pick';
import { parseRelionArgs } from './relion-external';

/** Parses argv as `drpnet pick` does and reads the parameters from it. */
function pickParams(argv: string[]) {
  return paramsFromOptions(parse(argv, PICK_OPTIONS, 'help').values, 'help');
}

describe('pick parameters on the command line', () => {
  it('parses every number parameter back to the value written', () => {
    for (const k of PARAM_KEYS) {
      const spec = PARAM_SPECS[k];
      if (spec.kind !== 'number') continue;
      const mid = spec.integer ? Math.round((spec.min + spec.max) / 2) : (spec.min + spec.max) / 2;
      for (const v of [spec.min, spec.default, mid, spec.max]) {
        const argv = [`--${spec.flag}`, String(v), ...(k === 'diameter' ? [] : ['--diameter', '140'])];
        expect(pickParams(argv)[k], `${spec.flag} ${v}`).toBe(v);
        // RELION's External job passes the same options, with _ for -.
        const relion = parseRelionArgs([
          `--${spec.flag.replace(/-/g, '_')}`,
          String(v),
          ...(k === 'diameter' ? [] : ['--diameter', '140']),
        ]);
        expect(paramsFromOptions(relion, 'help')[k], `relion ${spec.flag} ${v}`).toBe(v);
      }
    }
  });

  it('sets each boolean parameter with its flag, and leaves the default without it', () => {
    for (const k of PARAM_KEYS) {
      const spec = PARAM_SPECS[k];
      if (spec.kind !== 'boolean') continue;
      expect(pickParams(['--diameter', '140', `--${spec.flag}`])[k]).toBe(spec.flagSets);
      expect(pickParams(['--diameter', '140'])[k]).toBe(spec.default);
      expect(paramsFromOptions(parseRelionArgs(['--diameter', '140', `--${spec.flag}`, 'No']), 'help')[k]).toBe(!spec.flagSets);
    }
  });

  it('rejects values outside the range, naming the option and the range', () => {
    for (const k of PARAM_KEYS) {
      const spec = PARAM_SPECS[k];
      if (spec.kind !== 'number') continue;
      for (const v of [spec.min - spec.step, spec.max + spec.step, 'abc', '']) {
        const argv = ['--diameter', '140', `--${spec.flag}=${v}`];
        expect(() => pickParams(argv), `${spec.flag} ${v}`).toThrow(
          new RegExp(`^--${spec.flag}: '.*' is not a valid value \\(a (whole )?number from ${spec.min} to ${spec.max}( [a-z ]+)?\\)`),
        );
      }
    }
    expect(() => pickParams(['--diameter', '140', '--k-level', '2.5'])).toThrow(/whole number from 1 to 3/);
  });

  it('reads only decimal numbers: other notations JavaScript accepts are refused, not converted', () => {
    for (const k of PARAM_KEYS) {
      const spec = PARAM_SPECS[k];
      if (spec.kind !== 'number') continue;
      // '0x40' would be 64, '0o17' 15, '0b1' 1, ' ' 0 under Number(): each inside some range.
      for (const v of ['0x40', '0o17', '0b1', '1_0', 'Infinity', ' ', '']) {
        const argv = ['--diameter', '140', `--${spec.flag}=${v}`];
        expect(() => pickParams(argv), `${spec.flag} ${JSON.stringify(v)}`).toThrow(
          new RegExp(`^--${spec.flag}: '.*' is not a valid value`),
        );
      }
    }
    expect(pickParams(['--diameter', '1.4e2', '--sigma', '.5', '--threshold', '+4']).diameter).toBe(140);
  });

  it('requires the diameter and defaults the rest', () => {
    expect(() => pickParams([])).toThrow(UsageError);
    expect(() => pickParams([])).toThrow(/--diameter is required/);
    expect(pickParams(['--diameter', '90'])).toEqual({ ...DEFAULT_PICK_PARAMS, diameter: 90 });
  });

  it('lists every parameter in --help with its range and default', () => {
    const help = paramHelp();
    for (const k of PARAM_KEYS) {
      const spec = PARAM_SPECS[k];
      expect(help).toContain(`--${spec.flag}`);
      if (spec.kind === 'number')
        expect(help.replace(/\s+/g, ' ')).toContain(
          `(${spec.min}..${spec.max}${spec.unit ? ` ${spec.unit}` : ''}; ${spec.required ? 'required' : `default ${spec.default}`})`,
        );
    }
    for (const line of help.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });
});
