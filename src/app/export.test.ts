import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { ScoredPick } from '../../workers/engine-api';
import { COORDINATE_FORMAT_IDS, COORDINATE_FORMATS, coordinateFileName, writeCoordinates } from '../core/coords';
import { readRelionCoordinateList } from '../core/coords';
import { coordinateFilePath, coordsSuffixText } from '../core/relion/job';
import { buildExportFiles, zipFiles } from './export';
import { keptPicks, mergePicks, rejectPick } from './picks-merge';

describe('export', () => {
  const auto: ScoredPick[] = [
    { x: 100, y: 120, score: 0.9, kept: true, peakHeight: 0.5 },
    { x: 400, y: 380, score: 0.8, kept: true, peakHeight: 0.5 },
    { x: 700, y: 650, score: 0.2, kept: false, peakHeight: 0.5 },
  ];
  const shown = mergePicks(auto, { manual: [{ id: 'm1', x: 900, y: 910 }], rejected: [], accepted: [] }, 100);
  const edits = rejectPick({ manual: [{ id: 'm1', x: 900, y: 910 }], rejected: [], accepted: [] }, shown[1], 100);
  const picks = keptPicks(mergePicks(auto, edits, 100));

  it('leaves rejected and classifier-dropped picks out', () => {
    expect(picks.map((p) => [p.x, p.y])).toEqual([
      [100, 120],
      [900, 910],
    ]);
  });

  it('writes one file per micrograph and format plus the RELION list file, and zips them losslessly', () => {
    const items = [
      { micrographName: 'mic_001.mrc', picks, boxSize: 100 },
      { micrographName: 'mic_002.mrc', picks: [], boxSize: 100 },
    ];
    const files = buildExportFiles(items);
    expect(files.size).toBe(COORDINATE_FORMAT_IDS.length * 2 + 1);
    for (const f of COORDINATE_FORMAT_IDS) {
      const path = `${COORDINATE_FORMATS[f].exportFolder}/${coordinateFileName('mic_001.mrc', f)}`;
      expect(files.get(path)).toBe(writeCoordinates(f, picks, { micrographName: 'mic_001.mrc', boxSize: 100 }));
    }
    const list = files.get('relion/autopick.star')!;
    expect(list).toContain('data_coordinate_files');
    expect(list).toContain('mic_001.mrc');
    expect(list).toContain('mic_002.mrc');

    const unzipped = unzipSync(zipFiles(files));
    expect(Object.keys(unzipped).sort()).toEqual([...files.keys()].sort());
    for (const [path, text] of files) expect(strFromU8(unzipped[path])).toBe(text);
  });

  it("for a RELION project, lays the RELION folder out as drpnet relion-external does: the project's names, both list files", () => {
    const star = 'CtfFind/job003/micrographs_ctf.star';
    const project = {
      micrographsStar: star,
      micrographNames: ['MotionCorr/job002/Movies/May08_03.05.02.mrc', 'MotionCorr/job002/Movies/May08_03.05.03.mrc'],
    };
    const items = [
      { micrographName: 'May08_03.05.02.png', picks, boxSize: 100 },
      { micrographName: 'other.png', picks: [], boxSize: 100 },
    ];
    const files = buildExportFiles(items, ['star'], project);
    const mic = project.micrographNames[0];
    expect(coordinateFilePath('relion', mic)).toBe('relion/Movies/May08_03.05.02_autopick.star');
    expect(files.get(coordinateFilePath('relion', mic))).toBe(writeCoordinates('star', picks, items[0]));
    expect(files.get('relion/coords_suffix_autopick.star')).toBe(coordsSuffixText(star));
    expect(readRelionCoordinateList(files.get('relion/autopick.star')!, 'autopick.star')).toEqual([
      { micrographName: mic, coordinateFile: 'relion/Movies/May08_03.05.02_autopick.star' },
      // Not in the project's STAR: it keeps its own name.
      { micrographName: 'other.png', coordinateFile: 'relion/other_autopick.star' },
    ]);
    expect(files.size).toBe(4);
  });

  it("gives the project's micrograph to the loaded one of the same base name only: mic_01_noDW keeps its own name", () => {
    const project = { micrographsStar: 'CtfFind/job003/micrographs_ctf.star', micrographNames: ['MotionCorr/job002/Movies/mic_01.mrc'] };
    const items = [
      { micrographName: 'mic_01_noDW.mrc', picks: [{ x: 2, y: 2 }], boxSize: 100 },
      { micrographName: 'MIC_01.png', picks: [{ x: 3, y: 3 }], boxSize: 100 },
    ];
    const files = buildExportFiles(items, ['star'], project);
    expect(readRelionCoordinateList(files.get('relion/autopick.star')!, 'autopick.star')).toEqual([
      { micrographName: 'mic_01_noDW.mrc', coordinateFile: 'relion/mic_01_noDW_autopick.star' },
      { micrographName: project.micrographNames[0], coordinateFile: 'relion/Movies/mic_01_autopick.star' },
    ]);
    expect(files.get('relion/Movies/mic_01_autopick.star')).toBe(writeCoordinates('star', items[1].picks, items[1]));
    expect(files.get('relion/mic_01_noDW_autopick.star')).toBe(writeCoordinates('star', items[0].picks, items[0]));
  });
});
