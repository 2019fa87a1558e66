import { describe, expect, it } from 'vitest';
import { CLASSIFIER_DEFAULTS, DETECTOR_DEFAULTS } from '../../app/training/settings';
import { ParameterError } from '../errors';
import { buildClassifier } from '../model/classifier';
import { DETECTOR_FINE_TUNE_DEFAULTS } from './fine-tune';
import { DEFAULT_CLASSIFIER_TRAINING, trainClassifier } from './train-classifier';
import { DEFAULT_DETECTOR_TRAINING } from './train-detector';
import { checkTrainOptions, isValidTrainOption, TRAIN_OPTION_KEYS, TRAIN_OPTION_SPECS, type TrainOptionSpec } from './train-options';

describe('the training options table', () => {
  it('holds every default of ours: the CLI networks, the workbench runs, fine-tune', () => {
    const fineTune = { ...DEFAULT_DETECTOR_TRAINING, ...DETECTOR_FINE_TUNE_DEFAULTS, validationFraction: 0 };
    for (const o of [DEFAULT_DETECTOR_TRAINING, DEFAULT_CLASSIFIER_TRAINING, DETECTOR_DEFAULTS, CLASSIFIER_DEFAULTS, fineTune])
      expect(() => checkTrainOptions(o)).not.toThrow();
  });

  it('accepts the ends of each range and refuses values past them, naming the option', () => {
    for (const k of TRAIN_OPTION_KEYS) {
      const spec: TrainOptionSpec = TRAIN_OPTION_SPECS[k];
      expect(spec.min, k).toBeLessThan(spec.max);
      for (const v of [spec.min, spec.max]) expect(isValidTrainOption(k, v), `${k} ${v}`).toBe(true);
      for (const v of [spec.min - spec.step, spec.max + spec.step, Number.NaN, Infinity]) {
        expect(isValidTrainOption(k, v), `${k} ${v}`).toBe(false);
        expect(() => checkTrainOptions({ ...DEFAULT_DETECTOR_TRAINING, [k]: v }), `${k} ${v}`).toThrow(
          new RegExp(`^${spec.label.toLowerCase()} must be`, 'i'),
        );
      }
    }
    expect(isValidTrainOption('epochs', 2.5)).toBe(false);
    expect(isValidTrainOption('learningRate', 2.5e-4)).toBe(true);
  });

  it('names each CLI option once, in kebab case', () => {
    const flags = TRAIN_OPTION_KEYS.map((k) => TRAIN_OPTION_SPECS[k].flag);
    expect(new Set(flags).size).toBe(flags.length);
    for (const f of flags) expect(f).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('is checked by training itself before any step: a decay above 1 is refused', async () => {
    const model = buildClassifier({ seed: 1 });
    const data = { n: 1, patches: new Float32Array(0), labels: new Uint8Array(0) };
    try {
      await expect(trainClassifier(model, data as never, { lrDecay: 3 })).rejects.toThrow(ParameterError);
      await expect(trainClassifier(model, data as never, { lrDecay: 3 })).rejects.toThrow(
        /lr factor per epoch must be a number from 0.01 to 1, got 3/,
      );
    } finally {
      model.dispose();
    }
  });
});
