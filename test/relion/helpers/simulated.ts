// A RELION project of simulated micrographs with their ground truth, for the integration tests.
import type { Particle } from '../../../src/core/coords';
import { presetConfig, type SimPresetName } from '../../../src/core/simulate/presets';
import { simulateMicrograph, truthPicks } from '../../../src/core/simulate/simulate';
import { simDiameter } from '../../../src/core/train/dataset';
import { createRelionProject, type RelionProject } from './project';

export interface SimulatedProject {
  project: RelionProject;
  /** Ground truth per project-relative micrograph path (truthPicks: particles not cut by the edge). */
  truth: Map<string, Particle[]>;
  /** Nominal particle diameter, micrograph pixels. */
  diameter: number;
}

export interface SimulatedProjectOptions {
  count: number;
  size: number;
  /** Seed of the first micrograph; micrograph i uses seed + i. */
  seed: number;
  preset?: SimPresetName;
  /** Angstrom per pixel; default the preset's. */
  pixelSize?: number;
}

/** Simulates `count` micrographs into a new RELION project at `dir`. */
export function simulatedProject(dir: string, opts: SimulatedProjectOptions): SimulatedProject {
  const sims = Array.from({ length: opts.count }, (_, i) => {
    const overrides = {
      width: opts.size,
      height: opts.size,
      seed: opts.seed + i,
      ...(opts.pixelSize ? { pixelSize: opts.pixelSize } : {}),
    };
    return simulateMicrograph(presetConfig(opts.preset ?? 'typical', overrides));
  });
  const names = sims.map((_, i) => `mic_${String(i + 1).padStart(4, '0')}.mrc`);
  const project = createRelionProject(
    dir,
    sims.map((s, i) => ({ fileName: names[i], image: s.image })),
    {
      pixelSize: sims[0].pixelSize,
      voltageKv: sims[0].params.voltageKv,
      csMm: sims[0].params.csMm,
      amplitudeContrast: sims[0].params.amplitudeContrast,
    },
  );
  const truth = new Map(project.micrographs.map((m, i) => [m, truthPicks(sims[i])]));
  return { project, truth, diameter: simDiameter(sims[0]) };
}
