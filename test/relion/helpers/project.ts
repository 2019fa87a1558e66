// A RELION 3.1-style project tree on disk: micrographs in a folder under the project
// directory, a micrographs STAR with an optics block naming them by project-relative paths,
// coordinate folders the way RELION's --coord_dir expects them, and an empty pipeline.
//
// Facts (checked against RELION 3.1.3 here, see test/relion/*.test.ts):
// - Micrographs STAR: `data_optics` (_rlnOpticsGroupName, _rlnOpticsGroup,
//   _rlnMicrographPixelSize, _rlnVoltage, _rlnSphericalAberration, _rlnAmplitudeContrast)
//   and `data_micrographs` (_rlnMicrographName, _rlnOpticsGroup).
// - relion_preprocess --extract reads the coordinates of micrograph `Dir/mic.mrc` from
//   `<coord_dir>/Dir/mic<coord_suffix>`: the name after any `<Type>/jobNNN/` part, without
//   its extension, the rule RELION's picking job writes by (src/core/relion/job.ts).
// - relion_pipeliner needs an existing default_pipeline.star with a data_pipeline_general block.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeCoordinates, type Particle } from '../../../src/core/coords';
import { writeStar } from '../../../src/core/coords/star';
import type { Image2D } from '../../../src/core/image';
import { writeMrc } from '../../../src/core/io/mrc';
import { joinJobPath, pathAfterJobDir, withoutExtension } from '../../../src/core/relion/job';

export interface OpticsGroup {
  /** Angstrom per micrograph pixel. */
  pixelSize: number;
  voltageKv?: number;
  csMm?: number;
  amplitudeContrast?: number;
}

export interface ProjectMicrograph {
  /** File name without folder, e.g. "mic_0001.mrc". */
  fileName: string;
  /** Written as float32 MRC (mode 2: RELION 3.1 reads no float16) with the optics pixel size. */
  image: Image2D;
}

export interface RelionProject {
  /** Absolute project directory (RELION runs with this as its working directory). */
  dir: string;
  /** Project-relative path of the micrographs STAR. */
  micrographsStar: string;
  /** Project-relative micrograph paths, in STAR order. */
  micrographs: string[];
  optics: OpticsGroup;
}

/**
 * Text of a RELION 3.1 micrographs STAR: one optics group, micrographs by project-relative path;
 * with `defocusA`, each micrograph also carries CTFFIND's columns (that defocus, no astigmatism),
 * as a CtfFind job's micrographs_ctf.star does.
 */
export function micrographsStarText(micrographs: string[], optics: OpticsGroup, defocusA?: number): string {
  const opticsRow = [
    'opticsGroup1',
    '1',
    String(optics.pixelSize),
    String(optics.voltageKv ?? 300),
    String(optics.csMm ?? 2.7),
    String(optics.amplitudeContrast ?? 0.1),
  ];
  return writeStar([
    {
      name: 'optics',
      loops: [
        {
          columns: [
            'rlnOpticsGroupName',
            'rlnOpticsGroup',
            'rlnMicrographPixelSize',
            'rlnVoltage',
            'rlnSphericalAberration',
            'rlnAmplitudeContrast',
          ],
          rows: [opticsRow],
        },
      ],
    },
    {
      name: 'micrographs',
      loops: [
        defocusA === undefined
          ? { columns: ['rlnMicrographName', 'rlnOpticsGroup'], rows: micrographs.map((m) => [m, '1']) }
          : {
              columns: ['rlnMicrographName', 'rlnOpticsGroup', 'rlnDefocusU', 'rlnDefocusV', 'rlnDefocusAngle'],
              rows: micrographs.map((m) => [m, '1', String(defocusA), String(defocusA), '0']),
            },
      ],
    },
  ]);
}

/**
 * Writes micrographs into `<dir>/<micrographDir>/`, the micrographs STAR and an empty
 * pipeline into `dir`.
 */
export function createRelionProject(
  dir: string,
  micrographs: ProjectMicrograph[],
  optics: OpticsGroup,
  micrographDir = 'Micrographs',
): RelionProject {
  mkdirSync(path.join(dir, micrographDir), { recursive: true });
  const rel = micrographs.map((m) => `${micrographDir}/${m.fileName}`);
  micrographs.forEach((m, i) => writeFileSync(path.join(dir, rel[i]), new Uint8Array(writeMrc(m.image, { pixelSize: optics.pixelSize }))));
  const micrographsStar = 'micrographs.star';
  writeFileSync(path.join(dir, micrographsStar), micrographsStarText(rel, optics));
  writeFileSync(
    path.join(dir, 'default_pipeline.star'),
    writeStar([{ name: 'pipeline_general', pairs: [['rlnPipeLineJobCounter', '1']] }]),
  );
  return { dir: path.resolve(dir), micrographsStar, micrographs: rel, optics };
}

/**
 * Project-relative path where relion_preprocess looks for a micrograph's coordinates: the same
 * rule as RELION's picking job (src/core/relion/job.ts), with any suffix.
 */
export function coordinateFilePath(coordDir: string, micrograph: string, suffix: string): string {
  return joinJobPath(coordDir, withoutExtension(pathAfterJobDir(micrograph)) + suffix);
}

/** Writes one RELION coordinate STAR per micrograph (project-relative path -> picks) under coordDir. */
export function writeCoordinateDir(project: RelionProject, coordDir: string, suffix: string, picks: Map<string, Particle[]>): void {
  for (const [mic, list] of picks) {
    const file = path.join(project.dir, coordinateFilePath(coordDir, mic, suffix));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, writeCoordinates('star', list, { micrographName: path.basename(mic), boxSize: 0 }));
  }
}
