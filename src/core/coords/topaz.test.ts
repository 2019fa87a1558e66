import { describe, expect, it } from 'vitest';
import { expectCoordError, golden, ROUND_TRIP_PICKS, sig6, WRITER_MICROGRAPH, WRITER_PICKS } from './testdata/golden';
import { readTopaz, writeTopaz } from './topaz';

describe('readTopaz', () => {
  it('reads a topaz extract table, grouped by image_name (centres, score)', () => {
    const byMic = readTopaz(golden('topaz_extract.txt'), 'particles.txt');
    expect([...byMic]).toEqual([
      [
        'mic_0001',
        [
          { x: 1234, y: 567, score: 6.1732125 },
          { x: 88, y: 3900, score: -0.52807903 },
        ],
      ],
      ['mic_0002', [{ x: 2000, y: 1000, score: 3 }]],
    ]);
  });

  it('reads any column order, extra columns, spaces, CRLF, a BOM and # comments', () => {
    const text = '\uFEFF# topaz extract -r 14\r\nscore  y_coord\tx_coord   image_name  radius\r\n6.5 20 10 mic_0001 14\r\n\r\n# end\r\n';
    expect([...readTopaz(text, 't.txt')]).toEqual([['mic_0001', [{ x: 10, y: 20, score: 6.5 }]]]);
  });

  it("a header without rows (a micrograph where nothing was picked) is the file's own micrograph, with no picks", () => {
    expect([...readTopaz(writeTopaz([], 'mic_0004.mrc'), 'mic_0004.txt', 'mic_0004.txt')]).toEqual([['mic_0004.txt', []]]);
  });

  it('a per-micrograph table without image_name is grouped under the name it is given', () => {
    expect([...readTopaz('x_coord y_coord score\n1 2 0.5\n', 'mic_0003.txt', 'mic_0003.txt')]).toEqual([
      ['mic_0003.txt', [{ x: 1, y: 2, score: 0.5 }]],
    ]);
    expect(expectCoordError(() => readTopaz('x_coord y_coord score\n1 2 0.5\n', 't.txt'), 't.txt', 1).message).toMatch(
      /no micrograph column/,
    );
  });

  it('an empty file has no picks; a header alone has none either', () => {
    expect(readTopaz('', 't.txt').size).toBe(0);
    expect(readTopaz('image_name\tx_coord\ty_coord\tscore\n', 't.txt').size).toBe(0);
  });

  it('errors name the file and the line', () => {
    expect(expectCoordError(() => readTopaz('image_name x y\nm 1\n', 't.txt'), 't.txt', 2).message).toMatch(
      /2 fields but the header has 3/,
    );
    expect(expectCoordError(() => readTopaz('image_name x_coord y_coord\nm 1 two\n', 't.txt'), 't.txt', 2).message).toMatch(
      /y "two" is not a number/,
    );
    expect(expectCoordError(() => readTopaz('\nimage_name score\nm 1\n', 't.txt'), 't.txt', 2).message).toMatch(/no x and y columns/);
  });
});

describe('writeTopaz', () => {
  it('writes the golden file byte for byte (image_name = micrograph name without folder and extension)', () => {
    expect(writeTopaz(WRITER_PICKS, WRITER_MICROGRAPH)).toBe(golden('written/mic_0001.txt'));
  });

  it('reads a tab-separated table whose names hold spaces or start with #, and still skips # comments', () => {
    const text = '# picked with topaz extract\nimage_name\tx_coord\ty_coord\tscore\n#12 sq 3\t10\t20\t0.5\nmic 2\t30\t40\t1\n# a comment\n';
    expect([...readTopaz(text, 't.txt')]).toEqual([
      ['#12 sq 3', [{ x: 10, y: 20, score: 0.5 }]],
      ['mic 2', [{ x: 30, y: 40, score: 1 }]],
    ]);
    // Rows separated by spaces under a tab-separated header are still read.
    expect([...readTopaz('image_name\tx_coord\ty_coord\tscore\nmic_1 1 2 3\n', 't.txt')]).toEqual([['mic_1', [{ x: 1, y: 2, score: 3 }]]]);
  });

  it('writes a readable image_name for a name that is empty once folder and extension are gone', () => {
    expect([...readTopaz(writeTopaz([{ x: 1, y: 2 }], 'dir/.mrc'), 't.txt').keys()]).toEqual(['micrograph']);
  });

  it('round-trips picks (6 significant digits) and a name with spaces; picks without a score get 0', () => {
    const back = readTopaz(writeTopaz(ROUND_TRIP_PICKS, 'data/my mic.mrc'), 't.txt');
    expect([...back]).toEqual([
      [
        'my mic',
        [
          { x: sig6(3712.45678), y: 0.25, score: sig6(-3.14159265) },
          { x: 10, y: 20, score: 0 },
        ],
      ],
    ]);
  });
});
