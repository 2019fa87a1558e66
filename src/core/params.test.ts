import { describe, expect, it } from 'vitest';
import { ParameterError } from './errors';
import {
  checkPickParams,
  DEFAULT_PICK_PARAMS,
  detectorKey,
  isValidParam,
  PARAM_KEYS,
  PARAM_SPECS,
  paramsOfStage,
  samePickParams,
} from './params';

describe('the parameter table', () => {
  it('gives every parameter a default inside its own range', () => {
    for (const k of PARAM_KEYS) {
      const spec = PARAM_SPECS[k];
      expect(DEFAULT_PICK_PARAMS[k], k).toBe(spec.default);
      expect(isValidParam(k, spec.default), k).toBe(true);
      if (spec.kind === 'number') {
        expect(spec.min, k).toBeLessThan(spec.max);
        expect(spec.step, k).toBeGreaterThan(0);
        expect(spec.step, k).toBeLessThanOrEqual(spec.max - spec.min);
      }
    }
    expect(() => checkPickParams(DEFAULT_PICK_PARAMS)).not.toThrow();
  });

  it('names each CLI option once, in kebab case', () => {
    const flags = PARAM_KEYS.map((k) => PARAM_SPECS[k].flag);
    expect(new Set(flags).size).toBe(flags.length);
    for (const f of flags) expect(f).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('accepts the ends of each range and rejects values past them', () => {
    for (const k of PARAM_KEYS) {
      const spec = PARAM_SPECS[k];
      if (spec.kind === 'boolean') {
        expect(isValidParam(k, !spec.default)).toBe(true);
        expect(() => checkPickParams({ ...DEFAULT_PICK_PARAMS, [k]: 1 })).toThrow(ParameterError);
        continue;
      }
      for (const v of [spec.min, spec.max]) expect(() => checkPickParams({ ...DEFAULT_PICK_PARAMS, [k]: v }), `${k} ${v}`).not.toThrow();
      for (const v of [spec.min - spec.step, spec.max + spec.step, Number.NaN, Infinity]) {
        expect(() => checkPickParams({ ...DEFAULT_PICK_PARAMS, [k]: v }), `${k} ${v}`).toThrow(new RegExp(`pick parameter ${k} must be`));
      }
    }
  });

  it('takes only whole strictness levels', () => {
    expect(isValidParam('kLevel', 2)).toBe(true);
    expect(isValidParam('kLevel', 2.5)).toBe(false);
    expect(isValidParam('sigma', 0)).toBe(true); // only the fixed pre-smoothing
  });

  it('checks only the parameters asked for', () => {
    expect(() => checkPickParams({ sigma: 2, threshold: 4, kLevel: 1 }, ['sigma', 'threshold', 'kLevel'])).not.toThrow();
    expect(() => checkPickParams({ sigma: 2, threshold: 4, kLevel: 1 })).toThrow(/diameter/);
  });

  it('groups the parameters by the stage they make stale', () => {
    const all = [...paramsOfStage('detector'), ...paramsOfStage('peaks'), ...paramsOfStage('classifier')];
    expect(all.sort()).toEqual([...PARAM_KEYS].sort());
    expect(paramsOfStage('detector').sort()).toEqual(['diameter', 'negativeStain']);
  });

  it('changes the detector key exactly when a detector-stage parameter changes', () => {
    const base = DEFAULT_PICK_PARAMS;
    for (const k of PARAM_KEYS) {
      const spec = PARAM_SPECS[k];
      const other = spec.kind === 'boolean' ? !spec.default : spec.default === spec.max ? spec.min : spec.max;
      const changed = detectorKey({ ...base, [k]: other }) !== detectorKey(base);
      expect(changed, k).toBe(spec.stage === 'detector');
    }
  });
});

describe('samePickParams', () => {
  it('is true only for equal values of every parameter; never picked is never the same', () => {
    expect(samePickParams({ ...DEFAULT_PICK_PARAMS }, DEFAULT_PICK_PARAMS)).toBe(true);
    expect(samePickParams({ ...DEFAULT_PICK_PARAMS, threshold: DEFAULT_PICK_PARAMS.threshold + 1 }, DEFAULT_PICK_PARAMS)).toBe(false);
    expect(samePickParams(undefined, DEFAULT_PICK_PARAMS)).toBe(false);
  });
});
