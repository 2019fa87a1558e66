import { describe, expect, it } from 'vitest';
import { readBox, writeBox } from './box';
import { expectCoordError, golden, WRITER_BOX, WRITER_PICKS } from './testdata/golden';

describe('readBox (EMAN .box: lower-left corner + box size)', () => {
  it('EMAN2 e2boxer file: integer corners, centre = corner + size / 2', () => {
    expect(readBox(golden('eman2_boxer.box'), 'eman2_boxer.box')).toEqual([
      { x: 1234, y: 567 },
      { x: 88, y: 3900 },
      { x: 4001, y: 12 },
    ]);
  });

  it('crYOLO file: float corners, CRLF line ends', () => {
    expect(golden('cryolo.box')).toContain('\r\n');
    expect(readBox(golden('cryolo.box'), 'cryolo.box')).toEqual([
      { x: 1233.875, y: 566.25 },
      { x: 2400.5, y: 2089 },
    ]);
  });

  it('uses width for x and height for y when the box is not square', () => {
    expect(readBox('10\t20\t100\t50\n', 'a.box')).toEqual([{ x: 60, y: 45 }]);
  });

  it("reads 2-column lines with a given size and ignores extra columns; refuses 3-column lines (crYOLO's tomogram centres)", () => {
    expect(expectCoordError(() => readBox('10 20 100\n', 'a.box'), 'a.box', 1).message).toMatch(/x, y, z centres/);
    expect(expectCoordError(() => readBox('500\t600\t37\t64\t64\n', 'a.box'), 'a.box', 1).message).toMatch(/x, y, slice, width, height/);
    expect(readBox('10 20\n', 'a.box', { boxSize: 40 })).toEqual([{ x: 30, y: 40 }]);
    // EMAN2 helix markers and crYOLO's extra columns after the four.
    expect(readBox('10\t20\t100\t100\t-1\n30\t40\t100\t100\t-2\n', 'a.box')).toEqual([
      { x: 60, y: 70 },
      { x: 80, y: 90 },
    ]);
  });

  it('skips blank and # lines, and reads a BOM, CR-only line ends and commas', () => {
    const text = '\uFEFF#micrograph: a.mrc\r\r10,20,100,100\r  \r#helix: (1, 2),(3, 4),100\r';
    expect(readBox(text, 'a.box')).toEqual([{ x: 60, y: 70 }]);
  });

  it('refuses decimal commas rather than reading them as separators', () => {
    expect(expectCoordError(() => readBox('10\t20\t100\t100\n100,5\t200,5\t64\t64\n', 'a.box'), 'a.box', 2).message).toMatch(
      /decimal comma/,
    );
    expectCoordError(() => readBox('1,5 2,5 64 64\n', 'a.box'), 'a.box', 1);
    // Comma-separated lines, with or without spaces after the commas, are still read.
    expect(readBox('10,20,100,100\n10, 20, 100, 100\n', 'a.box')).toEqual([
      { x: 60, y: 70 },
      { x: 60, y: 70 },
    ]);
  });

  it("refuses crYOLO's filament (helicon) files, whose rows are segment centres, not corners", () => {
    const helicon = '#micrograph: a.mrc\n#segment length: 64\n#segment width: 64\n#helix: (100, 200),(300, 200),64\n150\t250\n';
    expect(expectCoordError(() => readBox(helicon, 'a.box'), 'a.box', 2).message).toMatch(/filament coordinates \(crYOLO helicon format\)/);
  });

  it('an empty file has no picks', () => {
    expect(readBox('', 'a.box')).toEqual([]);
    expect(readBox('\n\n', 'a.box')).toEqual([]);
  });

  it('errors name the file and the line', () => {
    expect(expectCoordError(() => readBox('1 2 3 4\n5 y 7 8\n', 'a.box'), 'a.box', 2).message).toMatch(/y "y" is not a number/);
    expect(expectCoordError(() => readBox('1 2\n', 'a.box'), 'a.box', 1).message).toMatch(/no box size/);
    expect(expectCoordError(() => readBox('7\n', 'a.box'), 'a.box', 1).message).toMatch(/needs x, y, width and height/);
    expect(expectCoordError(() => readBox('\n1 2 0 0\n', 'a.box'), 'a.box', 2).message).toMatch(/must be positive/);
    expectCoordError(() => readBox('1 2 -5 5\n', 'a.box'), 'a.box', 1);
    expectCoordError(() => readBox('1 2 nan 5\n', 'a.box'), 'a.box', 1);
    // corner + size / 2 beyond the largest double is an error, not a pick at infinity
    expect(expectCoordError(() => readBox('0 0 1 1\n1.7e308 0 1.7e308 10\n', 'a.box'), 'a.box', 2).message).toMatch(
      /x centre works out to Infinity/,
    );
  });
});

describe('writeBox', () => {
  it('writes the golden file byte for byte (corner = centre - box / 2)', () => {
    expect(writeBox(WRITER_PICKS, WRITER_BOX)).toBe(golden('written/mic_0001.box'));
  });

  it('writes whole-pixel corners (RELION drops decimals), so centres come back within half a pixel', () => {
    const picks = [
      { x: 1234.5, y: 567.25 },
      { x: 0, y: 4095 },
      { x: 33.33, y: 77.77 },
    ];
    const text = writeBox(picks, 200);
    expect(text).toBe('1135\t467\t200\t200\n-100\t3995\t200\t200\n-67\t-22\t200\t200\n');
    const back = readBox(text, 'a.box');
    back.forEach((p, i) => {
      expect(Math.abs(p.x - picks[i].x)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(p.y - picks[i].y)).toBeLessThanOrEqual(0.5);
    });
    expect(writeBox([], 100)).toBe('');
  });

  it('refuses a box size that is not a positive number', () => {
    for (const bad of [0, -4, NaN, Infinity]) expect(() => writeBox([{ x: 1, y: 1 }], bad)).toThrow(RangeError);
  });
});
