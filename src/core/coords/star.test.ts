import { describe, expect, it } from 'vitest';
import {
  columnIndex,
  findBlock,
  findLoopWith,
  formatNumber,
  isBlankText,
  parseStar,
  parseStrictNumber,
  quoteStarValue,
  tokenizeStarLine,
  writeStar,
} from './star';
import { expectCoordError } from './testdata/golden';

const F = 'test.star';

describe('tokenizeStarLine', () => {
  it('splits on whitespace and drops # comments, including RELION\'s "#N" column suffix', () => {
    expect(tokenizeStarLine('_rlnCoordinateX #1 ')).toEqual(['_rlnCoordinateX']);
    expect(tokenizeStarLine('  1.5\t2.5   3 # note')).toEqual(['1.5', '2.5', '3']);
    expect(tokenizeStarLine('# only a comment')).toEqual([]);
  });

  it('keeps a # inside a token', () => {
    expect(tokenizeStarLine('a#b c')).toEqual(['a#b', 'c']);
  });

  it('reads quoted values; a quote closes only before whitespace or the line end', () => {
    expect(tokenizeStarLine(`a "b c" 'd'`)).toEqual(['a', 'b c', 'd']);
    expect(tokenizeStarLine(`"it's" x`)).toEqual(["it's", 'x']);
    expect(tokenizeStarLine(`'a'b' c`)).toEqual(["a'b", 'c']);
    expect(tokenizeStarLine(`"" x`)).toEqual(['', 'x']);
  });

  it('returns null for a quote that is never closed', () => {
    expect(tokenizeStarLine('a "b c')).toBeNull();
    expect(tokenizeStarLine(`'a'b`)).toBeNull();
  });
});

describe('parseStar', () => {
  const text = [
    '# a comment before anything',
    '',
    'data_optics',
    '_rlnJobTypeLabel relion.autopick',
    'loop_',
    '_rlnOpticsGroup #1',
    '_rlnOpticsGroupName #2',
    '1 "group one"',
    '',
    '2 group2',
    '_rlnAfterLoop 5',
    'loop_',
    '_a',
    '_b',
    '"_quoted" data_x',
    'data_',
    'loop_',
    '_x',
  ].join('\n');

  it('reads blocks, key-value pairs and loops with their line numbers', () => {
    const doc = parseStar(text, F);
    expect(doc.blocks.map((b) => [b.name, b.line])).toEqual([
      ['optics', 3],
      ['', 16],
    ]);
    const optics = doc.blocks[0];
    expect([...optics.pairs]).toEqual([
      ['rlnJobTypeLabel', 'relion.autopick'],
      ['rlnAfterLoop', '5'],
    ]);
    expect(optics.loops[0]).toEqual({
      columns: ['rlnOpticsGroup', 'rlnOpticsGroupName'],
      rows: [
        ['1', 'group one'],
        ['2', 'group2'],
      ],
      rowLines: [8, 10],
      line: 5,
    });
    // A quoted "_quoted" is a value, and so is data_x in a row.
    expect(optics.loops[1].rows).toEqual([['_quoted', 'data_x']]);
    expect(doc.blocks[1].loops[0]).toMatchObject({ columns: ['x'], rows: [] });
  });

  it('reads CRLF, CR-only line ends and a byte-order mark the same way', () => {
    const plain = parseStar(text, F);
    expect(parseStar(text.replace(/\n/g, '\r\n'), F)).toEqual(plain);
    expect(parseStar(text.replace(/\n/g, '\r'), F)).toEqual(plain);
    expect(parseStar('\uFEFF' + text, F)).toEqual(plain);
  });

  it('finds blocks and columns case-insensitively, with or without the underscore', () => {
    const doc = parseStar(text, F);
    expect(findBlock(doc, 'OPTICS')?.line).toBe(3);
    expect(findBlock(doc, '')?.line).toBe(16);
    expect(findBlock(doc, 'particles')).toBeUndefined();
    const loop = doc.blocks[0].loops[0];
    expect(columnIndex(loop, '_rlnopticsgroupname')).toBe(1);
    expect(columnIndex(loop, 'rlnOpticsGroup')).toBe(0);
    expect(columnIndex(loop, 'rlnMissing')).toBe(-1);
    expect(findLoopWith(doc, ['a'])?.loop.line).toBe(12);
    expect(findLoopWith(doc.blocks[1], ['a'])).toBeUndefined();
  });

  describe('errors name the file and the line', () => {
    const cases: Array<[string, string, number | undefined, RegExp]> = [
      ['text before data_', '_rlnX 1\ndata_', 1, /before any data_ block/],
      ['no data_ block', '# nothing\n\n', undefined, /no data_ block/],
      ['row wider than the table', 'data_\nloop_\n_a\n_b\n1 2\n1 2 3', 6, /3 values but the table has 2 columns/],
      ['unterminated quote', 'data_\nloop_\n_a\n"open', 4, /quoted value is not closed/],
      ['loop_ without columns at the end', 'data_\nloop_\n', 2, /no columns/],
      ['loop_ without columns before the next block', 'data_a\nloop_\ndata_b\nloop_\n_x\n1', 2, /no columns/],
      ['loop_ without columns before a key', 'data_\nloop_\n_k v w', 3, /unexpected text after column name/],
      ['row before any column', 'data_\nloop_\n1 2', 3, /no columns before its first row/],
      ['column twice', 'data_\nloop_\n_a\n_A', 4, /appears twice/],
      ['value outside a loop', 'data_\n1 2', 2, /outside any loop_/],
      ['key without value', 'data_\n_key', 2, /has no value/],
      ['key with two values', 'data_\n_key a b', 2, /more than one value/],
      ['save frame', 'data_\nsave_frame', 2, /frames are not supported/],
      ['semicolon text field', 'data_\n_key\n;\ntext\n;', 2, /has no value/],
      ['semicolon text field as a value', 'data_\nloop_\n_a\n;text', 4, /text fields are not supported/],
      ['text after data_', 'data_x y', 1, /unexpected text after "data_x"/],
      ['text after loop_', 'data_\nloop_ _a', 2, /unexpected text after loop_/],
      ['a bare underscore', 'data_\nloop_\n_', 3, /empty column or key name/],
    ];
    it.each(cases)('%s', (_what, input, line, message) => {
      const err = expectCoordError(() => parseStar(input, F), F, line);
      expect(err.message).toMatch(message);
    });
  });
});

describe('numbers', () => {
  it('parseStrictNumber accepts decimal and exponent forms only', () => {
    for (const [s, v] of [
      ['1', 1],
      ['-1.5', -1.5],
      ['+.5', 0.5],
      ['1.', 1],
      ['5.120000e-04', 0.000512],
      ['1E5', 100000],
      [' 7 ', 7],
    ] as const) {
      expect(parseStrictNumber(s)).toBe(v);
    }
    for (const s of ['', ' ', 'nan', '-nan', 'inf', '<NA>', '1.2.3', '0x10', '1e999', '1,5', '--1', 'e5', '.']) {
      expect(parseStrictNumber(s)).toBeUndefined();
    }
  });

  it('formatNumber keeps 6 significant digits in the shortest form', () => {
    expect(formatNumber(1234.5678)).toBe('1234.57');
    expect(formatNumber(100)).toBe('100');
    expect(formatNumber(0.5)).toBe('0.5');
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(0.000123456789)).toBe('0.000123457');
    expect(formatNumber(123456789)).toBe('123457000');
    expect(formatNumber(1e300)).toBe('1e+300');
    expect(formatNumber(12.3, 2)).toBe('12');
    for (const bad of [NaN, Infinity, -Infinity]) expect(() => formatNumber(bad)).toThrow(RangeError);
  });
});

describe('quoteStarValue and writeStar', () => {
  it('quotes only what STAR would misread', () => {
    expect(quoteStarValue('Movies/mic_0001.mrc')).toBe('Movies/mic_0001.mrc');
    expect(quoteStarValue('')).toBe('""');
    expect(quoteStarValue('a b')).toBe('"a b"');
    expect(quoteStarValue('_x')).toBe('"_x"');
    expect(quoteStarValue('#1')).toBe('"#1"');
    expect(quoteStarValue('DATA_x')).toBe('"DATA_x"');
    expect(quoteStarValue('loop_')).toBe('"loop_"');
    expect(quoteStarValue('say "hi" now')).toBe(`'say "hi" now'`);
    expect(() => quoteStarValue(`"it's" odd`)).toThrow(RangeError);
  });

  it('writes what parseStar reads back, awkward values included', () => {
    const values = ['plain', 'two words', '_underscore', '#hash', 'data_block', '', `say "hi"`, "it's", 'tab\there'];
    const text = writeStar([
      { name: 'one', pairs: [['key', 'a value']] },
      { name: 'two', loops: [{ columns: ['v', 'i'], rows: values.map((v, i) => [v, String(i)]) }] },
    ]);
    const doc = parseStar(text, F);
    expect(doc.blocks.map((b) => b.name)).toEqual(['one', 'two']);
    expect(doc.blocks[0].pairs.get('key')).toBe('a value');
    expect(doc.blocks[1].loops[0].rows.map((r) => r[0])).toEqual(values);
  });

  it('refuses a row that does not fit its columns', () => {
    expect(() => writeStar([{ name: '', loops: [{ columns: ['a', 'b'], rows: [['1']] }] }])).toThrow(RangeError);
  });

  it('isBlankText', () => {
    expect(isBlankText('')).toBe(true);
    expect(isBlankText('\uFEFF \r\n\t')).toBe(true);
    expect(isBlankText(' x ')).toBe(false);
  });
});
