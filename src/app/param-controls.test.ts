import { describe, expect, it } from 'vitest';
import { PARAM_KEYS, PARAM_SPECS } from '../core/params';
import { parse } from '../cli/args';
import { paramsFromOptions } from '../cli/param-options';
import { PICK_OPTIONS } from '../cli/pick';
import { PARAM_CONTROLS } from './param-controls';

const cliAccepts = (flag: string, v: number): boolean => {
  try {
    paramsFromOptions(parse(['--diameter', '140', `--${flag}=${v}`], PICK_OPTIONS, 'help').values, 'help');
    return true;
  } catch {
    return false;
  }
};

describe('the workbench parameter controls', () => {
  it('has one control per parameter, in the table order, with unique test ids', () => {
    expect(PARAM_CONTROLS.map((c) => c.key)).toEqual(PARAM_KEYS);
    expect(new Set(PARAM_CONTROLS.map((c) => c.testid)).size).toBe(PARAM_KEYS.length);
    expect(PARAM_CONTROLS.find((c) => c.key === 'diameter')?.testid).toBe('param-diameter');
    expect(PARAM_CONTROLS.find((c) => c.key === 'kLevel')?.testid).toBe('param-k-level');
    for (const c of PARAM_CONTROLS) expect(c.kind).toBe(PARAM_SPECS[c.key].kind);
  });

  it("labels show the unit, and the cutoff which way it keeps more (a p(background), unlike crYOLO's thresholds)", () => {
    const label = (k: string) => PARAM_CONTROLS.find((c) => c.key === k)?.label;
    expect(label('diameter')).toBe('Particle diameter (px)');
    expect(label('cutoff')).toBe('Classifier cutoff (higher keeps more)');
  });

  it('spans the same range as the CLI accepts', () => {
    for (const c of PARAM_CONTROLS) {
      if (c.kind !== 'number') continue;
      const flag = PARAM_SPECS[c.key].flag;
      expect(cliAccepts(flag, c.min), `${flag} ${c.min}`).toBe(true);
      expect(cliAccepts(flag, c.max), `${flag} ${c.max}`).toBe(true);
      expect(cliAccepts(flag, c.min - c.step), `${flag} below`).toBe(false);
      expect(cliAccepts(flag, c.max + c.step), `${flag} above`).toBe(false);
    }
  });

  it('says in the tooltip which parameters run the detector again', () => {
    for (const c of PARAM_CONTROLS) expect(c.hint.includes('runs the detector again'), c.key).toBe(PARAM_SPECS[c.key].stage === 'detector');
    expect(PARAM_CONTROLS.find((c) => c.key === 'diameter')?.label).toBe('Particle diameter (px)');
  });
});
