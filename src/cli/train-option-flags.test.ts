import { describe, expect, it } from 'vitest';
import { TRAIN_OPTION_KEYS, TRAIN_OPTION_SPECS, type TrainOptionSpec } from '../core/train/train-options';
import { UsageError } from './args';
import { trainOptionFromValue, trainOptionHelp } from './train-option-flags';

describe('training options on the command line', () => {
  it('parses each option back to the value written, and leaves out those not given', () => {
    for (const k of TRAIN_OPTION_KEYS) {
      const spec: TrainOptionSpec = TRAIN_OPTION_SPECS[k];
      expect(trainOptionFromValue({ [spec.flag]: String(spec.max) }, k), k).toBe(spec.max);
      expect(trainOptionFromValue({}, k), k).toBeUndefined();
    }
    expect(trainOptionFromValue({ lr: '1e-4' }, 'learningRate')).toBe(1e-4);
  });

  it('refuses values outside the table, naming the option and the range', () => {
    expect(() => trainOptionFromValue({ 'lr-decay': '3' }, 'lrDecay')).toThrow(UsageError);
    expect(() => trainOptionFromValue({ 'lr-decay': '3' }, 'lrDecay')).toThrow(
      "--lr-decay: '3' is not a valid value (a number from 0.01 to 1)",
    );
    expect(() => trainOptionFromValue({ validation: '0.9' }, 'validationFraction')).toThrow(/--validation: '0.9'.*from 0 to 0.5/);
    expect(() => trainOptionFromValue({ epochs: '2.5' }, 'epochs')).toThrow(/a whole number from 1 to 1000/);
    expect(() => trainOptionFromValue({ seed: '0x10' }, 'seed')).toThrow(/--seed/);
  });

  it('writes each option with its range and the command default, within 100 columns', () => {
    const help = trainOptionHelp(['epochs', 'validationFraction'], { epochs: 7 }, { epochs: 'detector epochs' });
    expect(help).toContain('--epochs N');
    expect(help).toMatch(/detector epochs \(1\.\.1000; default 7\)/);
    expect(help).toMatch(/--validation F +share of the patches held out/);
    expect(help).toContain('(0..0.5)');
    for (const line of help.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });
});
