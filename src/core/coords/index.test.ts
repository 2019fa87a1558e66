import { describe, expect, it } from 'vitest';
import {
  isMicrographsStar,
  coordinateFileName,
  detectCoordinateFormat,
  micrographKey,
  readCoordinates,
  writeCoordinates,
  type CoordinateFormat,
} from './index';
import { expectCoordError, golden, WRITER_BOX, WRITER_MICROGRAPH, WRITER_PICKS } from './testdata/golden';

describe('detectCoordinateFormat', () => {
  it('says a binary file is one, rather than quoting its bytes', () => {
    const bytes = String.fromCharCode(77, 65, 80, 0, 0, 1, 2);
    expect(expectCoordError(() => detectCoordinateFormat(bytes, 'mic.star'), 'mic.star').message).toMatch(
      /a binary file, not a coordinate table/,
    );
  });

  it('goes by the extension first', () => {
    const cases: Array<[string, CoordinateFormat]> = [
      ['a/mic_autopick.star', 'star'],
      ['mic.BOX', 'box'],
      ['CBOX/mic.cbox', 'cbox'],
      ['picks.csv', 'csv'],
    ];
    for (const [name, format] of cases) expect(detectCoordinateFormat('anything', name)).toBe(format);
  });

  it('looks at the first line that is not blank or a comment when the extension says nothing', () => {
    const cases: Array<[string, CoordinateFormat]> = [
      [golden('relion31_autopick.star'), 'star'],
      [golden('cryolo.cbox'), 'cbox'],
      [golden('topaz_extract.txt'), 'topaz'],
      ['x_coord\ty_coord\tscore\n1\t2\t3\n', 'topaz'],
      ['\uFEFF# comment\nmicrograph_name,x,y\n', 'csv'],
      [golden('eman2_boxer.box'), 'box'],
      ['-3.5 2 100 100\n', 'box'],
    ];
    for (const [text, format] of cases) expect(detectCoordinateFormat(text, 'picks.txt')).toBe(format);
  });

  it('refuses numbers without a header in fewer than four columns unless the file is named .box: centres or corners is not known', () => {
    for (const text of ['100\t200\t0.8\n', '100 200\n'])
      expect(expectCoordError(() => detectCoordinateFormat(text, 'mic1.txt'), 'mic1.txt').message).toMatch(
        /particle centres or EMAN box corners/,
      );
    expect(detectCoordinateFormat('100 200\n', 'mic1.box')).toBe('box');
  });

  it('says which formats it reads when it recognises none', () => {
    const err = expectCoordError(() => detectCoordinateFormat('hello world\n', 'notes.txt'), 'notes.txt');
    expect(err.message).toMatch(/RELION \.star, EMAN \.box, crYOLO \.cbox, Topaz \.txt or CSV/);
  });
});

describe('readCoordinates', () => {
  it('keys single-micrograph files by the file name', () => {
    const cases: Array<[string, string]> = [
      ['relion31_autopick.star', 'Movies/relion31_autopick.star'],
      ['eman2_boxer.box', 'boxes/eman2_boxer.box'],
      ['cryolo.box', 'cryolo.box'],
      ['cryolo.cbox', 'CBOX/cryolo.cbox'],
    ];
    for (const [golden_, path] of cases) {
      const byMic = readCoordinates(golden(golden_), path);
      expect([...byMic.keys()]).toEqual([path.split('/').pop()]);
      expect(byMic.values().next().value!.length).toBeGreaterThan(0);
    }
    expect(readCoordinates(golden('relion30_autopick.star'), 'm_autopick.star').get('m_autopick.star')).toEqual([
      { x: 1234.5, y: 567.25, classNumber: 1, score: 2.345678, psi: 45 },
      { x: 88, y: 3900.75, classNumber: 2, score: 0.987654, psi: -120.5 },
      { x: 2048, y: 2048, classNumber: 1, score: 0.000512, psi: 179.999 },
    ]);
    expect(readCoordinates(golden('eman2_boxer.box'), 'm.box').get('m.box')).toEqual([
      { x: 1234, y: 567 },
      { x: 88, y: 3900 },
      { x: 4001, y: 12 },
    ]);
  });

  it('groups tables of many micrographs by the names they hold', () => {
    expect([...readCoordinates(golden('topaz_extract.txt'), 'particles.txt').keys()]).toEqual(['mic_0001', 'mic_0002']);
    expect([...readCoordinates(golden('picks.csv'), 'picks.csv').keys()]).toEqual(['Movies/mic_0001.mrc', 'Movies/mic "b", 2.mrc']);
    const particles = readCoordinates(golden('relion31_particles.star'), 'Refine3D/run_data.star');
    expect([...particles.keys()]).toEqual(['MotionCorr/job002/Movies/mic_0001.mrc', 'MotionCorr/job002/Movies/mic_0002.mrc']);
    expect(particles.get('MotionCorr/job002/Movies/mic_0001.mrc')!.length).toBe(2);
    expect([...readCoordinates(golden('relion30_particles.star'), 'particles.star').keys()]).toEqual([
      'Micrographs/mic_0001.mrc',
      'Micrographs/mic_0002.mrc',
    ]);
  });

  it('CSV and Topaz tables without a micrograph column are keyed by the file name', () => {
    expect([...readCoordinates('x,y\n1,2\n', 'mic_7.csv')]).toEqual([['mic_7.csv', [{ x: 1, y: 2 }]]]);
    expect([...readCoordinates('x_coord y_coord\n1 2\n', 'mic_7.txt')]).toEqual([['mic_7.txt', [{ x: 1, y: 2 }]]]);
  });

  it('reads a .cbox renamed .star as crYOLO', () => {
    expect(readCoordinates(golden('cryolo.cbox'), 'mic.star').get('mic.star')![0]).toEqual({ x: 1233, y: 567, score: 0.9123456 });
  });

  it('an empty file of any name holds no picks', () => {
    for (const name of ['relion_empty_autopick.star', 'a.box', 'a.cbox', 'a.csv', 'a.txt']) {
      expect([...readCoordinates('', name)]).toEqual([[name, []]]);
    }
    expect([...readCoordinates(golden('cryolo_empty.cbox'), 'm.cbox')]).toEqual([['m.cbox', []]]);
  });

  it('a RELION list of coordinate files is refused with a message that says what it is', () => {
    const err = expectCoordError(
      () => readCoordinates(golden('relion4_autopick_list.star'), 'AutoPick/job010/autopick.star'),
      'AutoPick/job010/autopick.star',
    );
    expect(err.message).toMatch(/list of coordinate files \(data_coordinate_files\)/);
  });

  it('refuses a table naming two micrographs of one file name in different folders: their picks would be merged', () => {
    const star = (mic: string) => `data_particles\nloop_\n_rlnMicrographName\n_rlnCoordinateX\n_rlnCoordinateY\n${mic} 10 20\n`;
    const pooled = star('Session1/Movies/a.mrc') + star('Session2/Movies/a.mrc').replace('data_particles', 'data_more');
    expect(expectCoordError(() => readCoordinates(pooled, 'particles.star'), 'particles.star').message).toMatch(
      /micrographs Session1\/Movies\/a\.mrc and Session2\/Movies\/a\.mrc have the same file name in different folders/,
    );
    // One micrograph named with and without a picker's suffix, an extension or a folder is one micrograph, as elsewhere.
    const topaz = 'image_name\tx_coord\ty_coord\na\t1\t2\na_automatch\t3\t4\n';
    expect([...readCoordinates(topaz, 'picks.txt').keys()]).toEqual(['a', 'a_automatch']);
    const csv = 'micrograph,x,y\na.mrc,1,2\na,3,4\nMovies/a.mrc,5,6\n./Movies/a.mrc,7,8\n';
    expect(readCoordinates(csv, 'picks.csv').size).toBe(4);
    // A clash is found whichever name comes first.
    const suffixed =
      star('x_picks.mrc') + star('S1/x.mrc').replace('data_particles', 'data_b') + star('S2/x.mrc').replace('data_particles', 'data_c');
    expect(expectCoordError(() => readCoordinates(suffixed, 'p.star'), 'p.star').message).toMatch(/S1\/x\.mrc and S2\/x\.mrc/);
  });

  it('tells a micrographs STAR from a particles STAR exported without coordinates', () => {
    const micrographs = 'data_micrographs\nloop_\n_rlnMicrographName\n_rlnOpticsGroup\nMovies/a.mrc 1\n';
    expect(isMicrographsStar(micrographs, 'micrographs_selected.star')).toBe(true);
    const particles = 'data_particles\nloop_\n_rlnImageName\n_rlnMicrographName\n1@Extract/a.mrcs Movies/a.mrc\n';
    expect(isMicrographsStar(particles, 'particles.star')).toBe(false);
    expect(isMicrographsStar('not a star file', 'notes.star')).toBe(false);
  });

  it("reduces Gautomatch's coordinate file to its micrograph's name", () => {
    expect(micrographKey('Movies/mic_01_automatch.star')).toBe(micrographKey('Movies/mic_01.mrc'));
  });

  it('passes the box size on to .box and .cbox rows that do not give one', () => {
    expect(readCoordinates('10 20\n', 'a.box', { boxSize: 40 }).get('a.box')).toEqual([{ x: 30, y: 40 }]);
  });

  it('errors keep the line of the format reader', () => {
    expectCoordError(() => readCoordinates('data_\nloop_\n_rlnCoordinateX\n_rlnCoordinateY\n1 x\n', 'a.star'), 'a.star', 5);
    expectCoordError(() => readCoordinates('1 2 3 4\n1 2 3 q\n', 'a.box'), 'a.box', 2);
  });
});

describe('writeCoordinates', () => {
  it('writes each format as its golden file', () => {
    const cases: Array<[CoordinateFormat, string]> = [
      ['star', 'written/mic_0001_autopick.star'],
      ['box', 'written/mic_0001.box'],
      ['cbox', 'written/mic_0001.cbox'],
      ['topaz', 'written/mic_0001.txt'],
      ['csv', 'written/mic_0001.csv'],
    ];
    for (const [format, file] of cases) {
      expect(writeCoordinates(format, WRITER_PICKS, { micrographName: WRITER_MICROGRAPH, boxSize: WRITER_BOX })).toBe(golden(file));
    }
  });

  it('what it writes, readCoordinates reads back under the matching file name', () => {
    const formats: CoordinateFormat[] = ['star', 'box', 'cbox', 'topaz', 'csv'];
    for (const format of formats) {
      const name = coordinateFileName(WRITER_MICROGRAPH, format);
      const text = writeCoordinates(format, WRITER_PICKS, { micrographName: WRITER_MICROGRAPH, boxSize: WRITER_BOX });
      const [picks] = [...readCoordinates(text, name).values()];
      // .box corners are whole pixels, so its centres come back within half a pixel.
      const tolerance = format === 'box' ? 0.5 : 0.005;
      expect(picks.map((p, i) => Math.abs(p.x - WRITER_PICKS[i].x) <= tolerance)).toEqual([true, true, true, true]);
    }
  });

  it('names output files the way each program does', () => {
    expect(coordinateFileName('MotionCorr/job002/Movies/mic_0001.mrc', 'star')).toBe('mic_0001_autopick.star');
    expect(coordinateFileName('mic_0001.tiff', 'box')).toBe('mic_0001.box');
    expect(coordinateFileName('mic_0001.mrc', 'cbox')).toBe('mic_0001.cbox');
    expect(coordinateFileName('mic_0001.mrc', 'topaz')).toBe('mic_0001.txt');
    expect(coordinateFileName('mic_0001.mrc', 'csv')).toBe('mic_0001.csv');
  });
});
