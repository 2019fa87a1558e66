import { describe, expect, it } from 'vitest';
import {
  readRelionCoordinateList,
  readRelionCoordinates,
  readRelionMicrographs,
  readRelionParticles,
  writeRelionCoordinateList,
  writeRelionCoordinates,
} from './relion';
import { parseStar } from './star';
import { expectCoordError, golden, sig6, WRITER_PICKS } from './testdata/golden';
import type { Particle } from './types';

describe('RELION per-micrograph coordinate files (golden)', () => {
  it('RELION 3.0 autopick.star: unnamed block, no version line, %12.6f / %12.6e values', () => {
    expect(readRelionCoordinates(golden('relion30_autopick.star'), 'relion30_autopick.star')).toEqual([
      { x: 1234.5, y: 567.25, classNumber: 1, score: 2.345678, psi: 45 },
      { x: 88, y: 3900.75, classNumber: 2, score: 0.987654, psi: -120.5 },
      { x: 2048, y: 2048, classNumber: 1, score: 0.000512, psi: 179.999 },
    ]);
  });

  it('RELION 3.1/4 autopick.star: "# version 30001" before data_', () => {
    expect(readRelionCoordinates(golden('relion31_autopick.star'), 'relion31_autopick.star')).toEqual([
      { x: 1500, y: 2500, classNumber: 1, score: 3.25, psi: 10.5 },
      { x: 300.125, y: 75.5, classNumber: 3, score: -0.25 },
    ]);
  });

  it('RELION 5 Topaz-wrapper file: other column order (figure of merit before class)', () => {
    expect(readRelionCoordinates(golden('relion5_topaz_autopick.star'), 'relion5_topaz_autopick.star')).toEqual([
      { x: 1240, y: 560, score: 6.173213, classNumber: 0, psi: 0 },
      { x: 96, y: 3904, score: -0.52808, classNumber: 0, psi: 0 },
    ]);
  });

  it('an empty file (what RELION writes for a micrograph without picks) has no picks', () => {
    expect(golden('relion_empty_autopick.star')).toBe('');
    expect(readRelionCoordinates(golden('relion_empty_autopick.star'), 'relion_empty_autopick.star')).toEqual([]);
    expect(readRelionCoordinates('\uFEFF\r\n  \n', 'blank.star')).toEqual([]);
    // Blocks without any table: also no picks.
    expect(readRelionCoordinates('data_\n# nothing picked\n', 'none.star')).toEqual([]);
    // A table with the columns but no rows.
    expect(readRelionCoordinates('data_\nloop_\n_rlnCoordinateX\n_rlnCoordinateY\n', 'rows.star')).toEqual([]);
  });
});

describe('RELION coordinate tolerance', () => {
  const base = golden('relion31_autopick.star');
  const expected = readRelionCoordinates(base, 'a.star');

  it('reads CRLF, a BOM and comment lines anywhere', () => {
    expect(readRelionCoordinates(base.replace(/\n/g, '\r\n'), 'a.star')).toEqual(expected);
    expect(readRelionCoordinates('\uFEFF' + base, 'a.star')).toEqual(expected);
    const commented = base.replace('loop_ \n', '# picked by hand\nloop_ \n# columns follow\n').replace(/ \n$/, ' # end of table\n');
    expect(readRelionCoordinates(commented, 'a.star')).toEqual(expected);
  });

  it('reads columns in any order, with or without "#N", with extra columns and quoted values', () => {
    const text = [
      'data_coords',
      'loop_',
      '_rlnAnglePsi',
      '_rlnUnknownLabel #2',
      '_rlnCoordinateY #3',
      '_rlnAutopickFigureOfMerit',
      '_rlnCoordinateX #5',
      '_rlnClassNumber',
      `10.5 "some text" 2500.000000 3.25 '1500' 1`,
      '-999 x 75.5 -0.25 300.125 3',
    ].join('\n');
    expect(readRelionCoordinates(text, 'a.star')).toEqual(expected);
  });

  it('reads files with only x and y, and ignores non-numbers in the optional columns', () => {
    expect(readRelionCoordinates('data_\nloop_\n_rlnCoordinateX\n_rlnCoordinateY\n1 2\n', 'a.star')).toEqual([{ x: 1, y: 2 }]);
    const text = 'data_\nloop_\n_rlnCoordinateX\n_rlnCoordinateY\n_rlnAutopickFigureOfMerit\n_rlnAnglePsi\n1 2 nan <NA>\n';
    expect(readRelionCoordinates(text, 'a.star')).toEqual([{ x: 1, y: 2 }]);
  });

  it('takes the first table with coordinates, whatever the block is called', () => {
    const text = 'data_general\n_rlnNote hello\n\ndata_picks\nloop_\n_rlnCoordinateX\n_rlnCoordinateY\n5 6\n';
    expect(readRelionCoordinates(text, 'a.star')).toEqual([{ x: 5, y: 6 }]);
    // An already parsed document is accepted too.
    expect(readRelionCoordinates(parseStar(text, 'a.star'), 'a.star')).toEqual([{ x: 5, y: 6 }]);
  });

  it('reads the coordinates of every data block, in file order (two files joined with cat)', () => {
    const one = writeRelionCoordinates([{ x: 1, y: 2, score: 0.5 }]);
    const two = 'data_more\nloop_\n_rlnCoordinateY\n_rlnCoordinateX\n40 30\n60 50\n';
    expect(readRelionCoordinates(one + two, 'mic_autopick.star')).toEqual([
      { x: 1, y: 2, score: 0.5, classNumber: 0 },
      { x: 30, y: 40 },
      { x: 50, y: 60 },
    ]);
  });

  it('reads one pick written as key-value pairs, as relion_preprocess does', () => {
    expect(readRelionCoordinates('data_\n_rlnCoordinateX 100.0\n_rlnCoordinateY 200.5\n', 'mic_autopick.star')).toEqual([
      { x: 100, y: 200.5 },
    ]);
  });

  it("reads crYOLO's and RELION's placeholders (-9999, -999) as no score, class or angle", () => {
    const text =
      'data_\nloop_\n_rlnCoordinateX\n_rlnCoordinateY\n_rlnClassNumber\n_rlnAnglePsi\n_rlnAutopickFigureOfMerit\n1 2 -9999 -9999 -9999\n3 4 2 -999 0.5\n';
    expect(readRelionCoordinates(text, 'mic.star')).toEqual([
      { x: 1, y: 2 },
      { x: 3, y: 4, classNumber: 2, score: 0.5 },
    ]);
  });

  it('errors name the file and the line', () => {
    const bad = 'data_\nloop_\n_rlnCoordinateX\n_rlnCoordinateY\n1 2\nabc 4\n';
    const err = expectCoordError(() => readRelionCoordinates(bad, 'mic_autopick.star'), 'mic_autopick.star', 6);
    expect(err.message).toMatch(/"abc" in column _rlnCoordinateX is not a number/);
    const noTable = 'data_\nloop_\n_rlnMicrographName\nmic.mrc\n';
    expect(expectCoordError(() => readRelionCoordinates(noTable, 'x.star'), 'x.star').message).toMatch(
      /_rlnCoordinateX and _rlnCoordinateY/,
    );
  });
});

describe('writeRelionCoordinates', () => {
  it('writes the golden file byte for byte', () => {
    expect(writeRelionCoordinates(WRITER_PICKS)).toBe(golden('written/mic_0001_autopick.star'));
    expect(
      writeRelionCoordinates([
        { x: 1234.5, y: 567.25 },
        { x: 88, y: 3900.75 },
      ]),
    ).toBe(golden('written/xy_only_autopick.star'));
  });

  it('round-trips picks to 6 significant digits', () => {
    const picks: Particle[] = [
      { x: 3712.4567891, y: 0.1, score: 0.123456789, classNumber: 4, psi: -33.3333333 },
      { x: 1e-7, y: 98765.4321, score: -12, classNumber: 1, psi: 0 },
    ];
    const back = readRelionCoordinates(writeRelionCoordinates(picks), 'a.star');
    expect(back).toEqual(
      picks.map((p) => ({ x: sig6(p.x), y: sig6(p.y), score: sig6(p.score!), classNumber: p.classNumber, psi: sig6(p.psi!) })),
    );
    expect(readRelionCoordinates(writeRelionCoordinates([]), 'a.star')).toEqual([]);
  });

  it("fills RELION's defaults where a pick lacks a value", () => {
    const back = readRelionCoordinates(writeRelionCoordinates([{ x: 1, y: 2, score: 0.5 }]), 'a.star');
    // Read back, RELION's "no angle" (-999) is no angle.
    expect(back).toEqual([{ x: 1, y: 2, score: 0.5, classNumber: 0 }]);
  });
});

describe('RELION list of coordinate files (data_coordinate_files)', () => {
  it('reads RELION 4 autopick.star', () => {
    expect(readRelionCoordinateList(golden('relion4_autopick_list.star'), 'autopick.star')).toEqual([
      { micrographName: 'MotionCorr/job002/Movies/mic_0001.mrc', coordinateFile: 'AutoPick/job010/Movies/mic_0001_autopick.star' },
      { micrographName: 'MotionCorr/job002/Movies/mic_0002.mrc', coordinateFile: 'AutoPick/job010/Movies/mic_0002_autopick.star' },
    ]);
  });

  it('writes the golden list and reads it back', () => {
    const entries = [
      { micrographName: 'MotionCorr/job002/Movies/mic_0001.mrc', coordinateFile: 'AutoPick/job010/Movies/mic_0001_autopick.star' },
      { micrographName: 'Movies/mic 2.mrc', coordinateFile: 'AutoPick/job010/Movies/mic_2_autopick.star' },
    ];
    const text = writeRelionCoordinateList(entries);
    expect(text).toBe(golden('written/autopick_list.star'));
    expect(readRelionCoordinateList(text, 'autopick.star')).toEqual(entries);
  });

  it('says what is missing when the file is not a list', () => {
    const err = expectCoordError(() => readRelionCoordinateList(golden('relion31_autopick.star'), 'x.star'), 'x.star');
    expect(err.message).toMatch(/data_coordinate_files/);
  });
});

describe('RELION particles STAR', () => {
  it('3.1: data_optics + data_particles, origins in Angstrom over the pixel size of the optics group', () => {
    const byMic = readRelionParticles(golden('relion31_particles.star'), 'particles.star');
    expect([...byMic.keys()]).toEqual(['MotionCorr/job002/Movies/mic_0001.mrc', 'MotionCorr/job002/Movies/mic_0002.mrc']);
    const [a, b] = byMic.get('MotionCorr/job002/Movies/mic_0001.mrc')!;
    const [c] = byMic.get('MotionCorr/job002/Movies/mic_0002.mrc')!;
    // group 1: 0.885 A/px; origin (1.77, -0.885) A = (2, -1) px; centre = coordinate - origin.
    expect(a.x).toBeCloseTo(1232, 9);
    expect(a.y).toBeCloseTo(568, 9);
    expect(a).toMatchObject({ score: 2.345678, classNumber: 1, psi: 45 });
    expect(b.x).toBeCloseTo(93, 9);
    expect(b.y).toBeCloseTo(3900, 9);
    // group 2: 1.0 A/px.
    expect(c.x).toBeCloseTo(1997, 9);
    expect(c.y).toBeCloseTo(997.5, 9);
  });

  it('3.1 without applying origins gives the stored coordinates', () => {
    const byMic = readRelionParticles(golden('relion31_particles.star'), 'particles.star', { applyOrigins: false });
    expect(byMic.get('MotionCorr/job002/Movies/mic_0001.mrc')!.map((p) => [p.x, p.y])).toEqual([
      [1234, 567],
      [88, 3900],
    ]);
  });

  it('3.0: one unnamed block, origins in pixels', () => {
    const byMic = readRelionParticles(golden('relion30_particles.star'), 'particles.star');
    expect(byMic.get('Micrographs/mic_0001.mrc')).toEqual([{ x: 1231.5, y: 568.25, classNumber: 1, psi: 45 }]);
    expect(byMic.get('Micrographs/mic_0002.mrc')).toEqual([{ x: 3004, y: 1502, classNumber: 1, psi: -90.5 }]);
  });

  it('reads the particles of every data block, each with its own columns', () => {
    const first =
      'data_particles\nloop_\n_rlnMicrographName\n_rlnCoordinateX\n_rlnCoordinateY\n_rlnOriginX\n_rlnOriginY\nm1.mrc 10 10 1 2\n';
    const second = 'data_particles\nloop_\n_rlnCoordinateX\n_rlnCoordinateY\n_rlnMicrographName\n5 6 m2.mrc\n7 8 m1.mrc\n';
    expect([...readRelionParticles(first + second, 'p.star')]).toEqual([
      [
        'm1.mrc',
        [
          { x: 9, y: 8 },
          { x: 7, y: 8 },
        ],
      ],
      ['m2.mrc', [{ x: 5, y: 6 }]],
    ]);
  });

  it('refuses a file that mixes particle tables with a coordinate table that names no micrograph', () => {
    const text =
      'data_particles\nloop_\n_rlnMicrographName\n_rlnCoordinateX\n_rlnCoordinateY\nm1.mrc 10 10\ndata_\nloop_\n_rlnCoordinateX\n_rlnCoordinateY\n1 2\n';
    expect(expectCoordError(() => readRelionParticles(text, 'p.star'), 'p.star', 8).message).toMatch(
      /coordinates without _rlnMicrographName/,
    );
  });

  it('errors: Angstrom origins without a pixel size, and no particle table', () => {
    const text = [
      'data_particles',
      'loop_',
      '_rlnMicrographName',
      '_rlnCoordinateX',
      '_rlnCoordinateY',
      '_rlnOriginXAngst',
      '_rlnOriginYAngst',
      '_rlnOpticsGroup',
      'm.mrc 10 10 1 1 1',
    ].join('\n');
    const err = expectCoordError(() => readRelionParticles(text, 'p.star'), 'p.star', 9);
    expect(err.message).toMatch(/no pixel size/);
    // A pixel size so small that origin / pixel size overflows.
    const tiny = `data_optics\nloop_\n_rlnOpticsGroup\n_rlnImagePixelSize\n1 5e-324\n${text}`;
    expect(expectCoordError(() => readRelionParticles(tiny, 'p.star'), 'p.star', 14).message).toMatch(
      /x centre \(coordinate - origin\) works out to -Infinity/,
    );
    expectCoordError(() => readRelionParticles(golden('relion31_autopick.star'), 'p.star'), 'p.star');
  });
});

describe('RELION micrographs STAR', () => {
  it('3.1: pixel size from the optics group (_rlnMicrographPixelSize)', () => {
    expect(readRelionMicrographs(golden('relion31_micrographs.star'), 'micrographs_ctf.star')).toEqual([
      { name: 'MotionCorr/job002/Movies/mic_0001.mrc', opticsGroup: 1, pixelSize: 1.77 },
      { name: 'MotionCorr/job002/Movies/mic_0002.mrc', opticsGroup: 2, pixelSize: 1 },
    ]);
  });

  it('3.0: pixel size = detector pixel size (um) * 1e4 / magnification', () => {
    const mics = readRelionMicrographs(golden('relion30_micrographs.star'), 'micrographs_ctf.star');
    expect(mics.map((m) => m.name)).toEqual(['Micrographs/mic_0001.mrc', 'Micrographs/mic_0002.mrc']);
    for (const m of mics) expect(m.pixelSize).toBeCloseTo(1.77, 12);
  });

  it('no pixel size where the file gives none; an error where there is no micrograph table', () => {
    expect(readRelionMicrographs('data_\nloop_\n_rlnMicrographName\na.mrc\n', 'm.star')).toEqual([{ name: 'a.mrc' }]);
    expectCoordError(() => readRelionMicrographs(golden('relion31_autopick.star'), 'm.star'), 'm.star');
  });

  it('a movies STAR (Import of movies) is named as such, with the file to give instead', () => {
    const movies =
      'data_optics\nloop_\n_rlnOpticsGroup #1\n1\ndata_movies\nloop_\n_rlnMicrographMovieName #1\n_rlnOpticsGroup #2\nMovies/a.tiff 1\n';
    expect(() => readRelionMicrographs(movies, 'movies.star')).toThrow(
      /movies\.star: this lists movies \(_rlnMicrographMovieName\), not micrographs: .*corrected_micrographs\.star/,
    );
  });
});
