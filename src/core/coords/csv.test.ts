import { describe, expect, it } from 'vitest';
import { findColumn, parseTextTable, readCsv, splitCsvLine, writeCsv } from './csv';
import { expectCoordError, golden, ROUND_TRIP_PICKS, sig6, WRITER_MICROGRAPH, WRITER_PICKS } from './testdata/golden';

describe('splitCsvLine', () => {
  it('splits on the delimiter, trims unquoted fields, keeps quoted text and doubled quotes', () => {
    expect(splitCsvLine('a, b ,c', ',')).toEqual(['a', 'b', 'c']);
    expect(splitCsvLine('"a, b",2', ',')).toEqual(['a, b', '2']);
    expect(splitCsvLine('"say ""hi""",x', ',')).toEqual(['say "hi"', 'x']);
    expect(splitCsvLine('a,,', ',')).toEqual(['a', '', '']);
    expect(splitCsvLine('" lead",x', ',')).toEqual([' lead', 'x']);
    expect(splitCsvLine('a;b', ';')).toEqual(['a', 'b']);
  });

  it('returns null for an unclosed quote', () => {
    expect(splitCsvLine('"abc,1', ',')).toBeNull();
    expect(splitCsvLine('a,"b""', ',')).toBeNull();
  });
});

describe('readCsv', () => {
  it('reads the golden CSV: quoted names, empty score = no score', () => {
    expect([...readCsv(golden('picks.csv'), 'picks.csv')]).toEqual([
      [
        'Movies/mic_0001.mrc',
        [
          { x: 1234.5, y: 567.25, score: 2.5 },
          { x: 88, y: 3900.75 },
        ],
      ],
      ['Movies/mic "b", 2.mrc', [{ x: 10, y: 20, score: -0.5 }]],
    ]);
  });

  it('reads column aliases in any order, extra columns, quoted numbers, comments, CRLF and a BOM', () => {
    const text = '\uFEFF# exported\r\nScore,Center_Y,extra,X_Coord,Image_Name\r\n"0.5","20",foo,10,mic.mrc\r\n\r\n';
    expect([...readCsv(text, 'c.csv')]).toEqual([['mic.mrc', [{ x: 10, y: 20, score: 0.5 }]]]);
  });

  it('reads tab- and semicolon-separated tables', () => {
    expect([...readCsv('micrograph\tx\ty\nm\t1\t2\n', 'c.csv')]).toEqual([['m', [{ x: 1, y: 2 }]]]);
    expect([...readCsv('micrograph;x;y\nm;1;2\n', 'c.csv')]).toEqual([['m', [{ x: 1, y: 2 }]]]);
  });

  it('groups rows without a micrograph column under the given name; an empty file has no picks', () => {
    expect([...readCsv('x,y\n1,2\n3,4\n', 'c.csv', 'mic.mrc')]).toEqual([
      [
        'mic.mrc',
        [
          { x: 1, y: 2 },
          { x: 3, y: 4 },
        ],
      ],
    ]);
    expect(readCsv('', 'c.csv').size).toBe(0);
    expect(readCsv('\uFEFF\n \n', 'c.csv').size).toBe(0);
  });

  it('errors name the file and the line', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['micrograph_name,x,y\nm,1\n', 2, /2 fields but the header has 3/],
      ['micrograph_name,x,y\nm,1,"2\n', 2, /quoted field is not closed/],
      ['micrograph_name,x,y\nm,1,y\n', 2, /y "y" is not a number/],
      ['micrograph_name,x,y,score\nm,1,2,high\n', 2, /score "high" is not a number/],
      ['micrograph_name,x,y\n,1,2\n', 2, /empty micrograph name/],
      ['\nname,a,b\nm,1,2\n', 2, /no x and y columns/],
      ['x,y\n1,2\n', 1, /no micrograph column/],
    ];
    for (const [text, line, message] of cases) {
      expect(expectCoordError(() => readCsv(text, 'c.csv'), 'c.csv', line).message).toMatch(message);
    }
    expectCoordError(() => parseTextTable('# only a comment\n', 'c.csv', ','), 'c.csv');
  });

  it('findColumn ignores case and a leading underscore', () => {
    expect(findColumn(['_rlnCoordinateX', 'Y'], ['x', 'rlncoordinatex'])).toBe(0);
    expect(findColumn(['a', 'b'], ['x'])).toBe(-1);
  });
});

describe('writeCsv', () => {
  it('writes the golden file byte for byte', () => {
    expect(writeCsv(WRITER_PICKS, WRITER_MICROGRAPH)).toBe(golden('written/mic_0001.csv'));
  });

  it('round-trips picks and awkward micrograph names', () => {
    for (const name of ['plain.mrc', 'a,b.mrc', 'say "hi".mrc', ' padded ', '#hash.mrc', 'semi;colon\ttab.mrc']) {
      expect([...readCsv(writeCsv(ROUND_TRIP_PICKS, name), 'c.csv')]).toEqual([
        [
          name,
          [
            { x: sig6(3712.45678), y: 0.25, score: sig6(-3.14159265) },
            { x: 10, y: 20 },
          ],
        ],
      ]);
    }
  });
});
