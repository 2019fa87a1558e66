// Named simulation conditions, as partial configs over DEFAULT_SIM_CONFIG: the imaging
// conditions pickers are measured under, and one preset per particle kind.

import { ParameterError } from '../errors';
import type { ParticleKind } from './phantoms';
import type { SimConfig } from './simulate';

export type SimPresetName = 'typical' | 'low-defocus' | 'carbon-edge' | 'contamination' | 'crowded' | 'negative-stain' | ParticleKind;

export const SIM_PRESETS: Readonly<Record<SimPresetName, Partial<SimConfig>>> = {
  typical: { dose: 40, defocusUm: [1.5, 2.5], carbon: 'none' },
  // Close to focus: less low-resolution contrast, particles much harder to see.
  'low-defocus': { defocusUm: [0.5, 1.0] },
  'carbon-edge': { carbon: 'edge', carbonFraction: 0.3 },
  contamination: { contamination: 4, iceGradientNm: 20, iceVariation: 0.2 },
  crowded: { density: 0.45, clumping: 0.4, overlap: 0.1 },
  // Stain: 200 kV, closer to focus, larger pixels; particles bright on dark, grainy stain.
  'negative-stain': {
    negativeStain: true,
    voltageKv: 200,
    defocusUm: [0.8, 1.5],
    amplitudeContrast: 0.3,
    pixelSize: 2.0,
    dose: 30,
    iceThicknessNm: 20,
    iceGradientNm: 4,
  },
  trpv1: { kind: 'trpv1' },
  betagal: { kind: 'betagal' },
  proteasome: { kind: 'proteasome' },
  apoferritin: { kind: 'apoferritin' },
  ribosome: { kind: 'ribosome', pixelSize: 1.8 },
  small: { kind: 'small', defocusUm: [1.0, 2.0] },
  shell: { kind: 'shell', pixelSize: 2.2 },
  ring: { kind: 'ring' },
  rod: { kind: 'rod', pixelSize: 1.8 },
  dimer: { kind: 'dimer' },
};

export const SIM_PRESET_NAMES = Object.keys(SIM_PRESETS) as SimPresetName[];

/** A preset merged with overrides (overrides win). */
export function presetConfig(name: SimPresetName, overrides: Partial<SimConfig> = {}): Partial<SimConfig> {
  const p = SIM_PRESETS[name];
  if (!p) throw new ParameterError(`unknown simulation preset "${name}"; expected one of ${SIM_PRESET_NAMES.join(', ')}`);
  return { ...p, ...overrides };
}
