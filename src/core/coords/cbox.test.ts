import { describe, expect, it } from 'vitest';
import { readCbox, writeCbox } from './cbox';
import { parseStar } from './star';
import { expectCoordError, golden, sig6, WRITER_BOX, WRITER_PICKS } from './testdata/golden';

describe('readCbox (crYOLO >= 1.8)', () => {
  it('reads the crYOLO file: corner + Width/2, Height/2, score = _Confidence, <NA> fields ignored', () => {
    expect(readCbox(golden('cryolo.cbox'), 'cryolo.cbox')).toEqual([
      { x: 1233, y: 567, score: 0.9123456 },
      { x: 67, y: 3946, score: 0.4 },
      { x: 2410.5, y: 2079, score: 0.75 },
    ]);
  });

  it('a crYOLO file without picks, and an empty file, have no picks', () => {
    expect(readCbox(golden('cryolo_empty.cbox'), 'cryolo_empty.cbox')).toEqual([]);
    expect(readCbox('', 'x.cbox')).toEqual([]);
    expect(readCbox('data_global\n_cbox_format_version 1.0\ndata_cryolo\n', 'x.cbox')).toEqual([]);
  });

  it('reads CRLF, a BOM, any column order and a missing confidence', () => {
    const text =
      '\uFEFFdata_cryolo\r\nloop_\r\n_Confidence #1\r\n_Height #2\r\n_CoordinateY #3\r\n_Width #4\r\n_CoordinateX #5\r\n<NA> 50 20 100 10\r\n';
    expect(readCbox(text, 'x.cbox')).toEqual([{ x: 60, y: 45 }]);
  });

  it("refuses crYOLO's filament and tomogram files, whose rows are no particles of a micrograph", () => {
    const head =
      'data_global\n_cbox_format_version 1.0\ndata_cryolo\nloop_\n_CoordinateX\n_CoordinateY\n_CoordinateZ\n_Width\n_Height\n_Depth\n_EstWidth\n_EstHeight\n_Confidence\n_NumBoxes\n_Angle\n';
    const filament = head.replace('_Angle\n', '_Angle\n_filamentid\n') + '10 20 <NA> 100 100 <NA> <NA> <NA> 1 <NA> 0.3 0\n';
    expect(expectCoordError(() => readCbox(filament, 'f.cbox'), 'f.cbox', 4).message).toMatch(/filament/);
    const tomo = head + '10 20 <NA> 100 100 <NA> <NA> <NA> 1 <NA> <NA>\n10 20 33 100 100 100 <NA> <NA> 1 5 <NA>\n';
    expect(expectCoordError(() => readCbox(tomo, 't.cbox'), 't.cbox', 17).message).toMatch(/tomogram/);
  });

  it("reads crYOLO's headerless .cbox of before 1.8: .box rows with the confidence fifth", () => {
    const text = '374\t0\t64\t64\t0.8\t62\t62\n10\t20\t64\t64\t0.12\t60\t61\n';
    expect(readCbox(text, 'old.cbox')).toEqual([
      { x: 406, y: 32, score: 0.8 },
      { x: 42, y: 52, score: 0.12 },
    ]);
  });

  it('reads an older file without data_cryolo, and one without Width/Height when a box size is given', () => {
    expect(readCbox('data_\nloop_\n_CoordinateX\n_CoordinateY\n_Width\n_Height\n0 0 10 10\n', 'x.cbox')).toEqual([{ x: 5, y: 5 }]);
    const noSize = 'data_cryolo\nloop_\n_CoordinateX\n_CoordinateY\n10 20\n';
    expect(readCbox(noSize, 'x.cbox', { boxSize: 100 })).toEqual([{ x: 60, y: 70 }]);
    expect(expectCoordError(() => readCbox(noSize, 'x.cbox'), 'x.cbox', 2).message).toMatch(/give the box size/);
  });

  it('errors name the file and the line', () => {
    const text = golden('cryolo.cbox').replace('2310.5 1999.0', '2310.5 <NA>');
    const err = expectCoordError(() => readCbox(text, 'cryolo.cbox'), 'cryolo.cbox', 22);
    expect(err.message).toMatch(/_CoordinateY/);
    expectCoordError(() => readCbox('data_\nloop_\n_x\n1\n', 'x.cbox'), 'x.cbox');
    const huge = 'data_cryolo\nloop_\n_CoordinateX\n_CoordinateY\n_Width\n_Height\n0 1.7e308 10 1.7e308\n';
    expect(expectCoordError(() => readCbox(huge, 'x.cbox'), 'x.cbox', 7).message).toMatch(/y centre works out to/);
  });
});

describe('writeCbox', () => {
  it('writes the golden file byte for byte', () => {
    expect(writeCbox(WRITER_PICKS, WRITER_BOX)).toBe(golden('written/mic_0001.cbox'));
  });

  it('writes data_global/_cbox_format_version and the 11 crYOLO columns', () => {
    const doc = parseStar(writeCbox(WRITER_PICKS, WRITER_BOX), 'x.cbox');
    expect(doc.blocks[0].pairs.get('cbox_format_version')).toBe('1.0');
    expect(doc.blocks[1].loops[0].columns).toEqual(parseStar(golden('cryolo.cbox'), 'c').blocks[1].loops[0].columns);
  });

  it('round-trips centres and scores (6 significant digits)', () => {
    const picks = [
      { x: 1234.5, y: 567.25, score: 0.812345678 },
      { x: 90, y: 4000, score: 0 },
    ];
    const back = readCbox(writeCbox(picks, 180), 'x.cbox');
    back.forEach((p, i) => {
      expect(p.x).toBeCloseTo(picks[i].x, 9);
      expect(p.y).toBeCloseTo(picks[i].y, 9);
      expect(p.score).toBe(sig6(picks[i].score));
    });
    expect(readCbox(writeCbox([], 180), 'x.cbox')).toEqual([]);
  });

  it('refuses a box size that is not a positive number', () => {
    expect(() => writeCbox(WRITER_PICKS, 0)).toThrow(RangeError);
  });
});
