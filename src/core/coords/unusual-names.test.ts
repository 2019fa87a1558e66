// Every coordinate writer read back by the reader, through the file name `drpnet pick` gives it,
// over micrograph names people and acquisition software really produce: a leading '#', spaces,
// quotes, commas, several dots, non-ASCII letters and emoji. Whatever the name, the picks come
// back under the same micrograph key, so `eval` and the workbench match them to that micrograph.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coordinateFileName, micrographKey, readCoordinates, writeCoordinates, type CoordinateFormat } from './index';
import { sig6 } from './testdata/golden';
import type { Particle } from './types';

const FORMATS: CoordinateFormat[] = ['star', 'box', 'cbox', 'topaz', 'csv'];
const BOX = 64;

/** Pieces that break naive readers: comment and quote characters, separators, dots, letters
 * outside ASCII. Path separators and control characters are not in file names of micrographs. */
const PIECES = [
  '#',
  ' ',
  '  ',
  '.',
  '..',
  '"',
  "'",
  ',',
  ';',
  '_',
  '-',
  '(1)',
  'mic',
  'Falcon 4i',
  'é',
  'Ångström',
  '日本語',
  '😀',
  '0001',
  'grid#2',
  'x.y',
];
const piece = fc.oneof(
  { arbitrary: fc.constantFrom(...PIECES), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }).filter((s) => !/[\p{Cc}/\\]/u.test(s)), weight: 1 },
);
const EXTENSIONS = ['.mrc', '.MRC', '.tif', '.tiff', '.mrcs', '.mrc.gz', ''];

/** A micrograph file name with at least one character left once extensions are stripped. */
const micrographName = fc
  .tuple(fc.array(piece, { minLength: 1, maxLength: 6 }), fc.constantFrom(...EXTENSIONS))
  .map(([parts, ext]) => parts.join('') + ext)
  .filter((name) => micrographKey(name) !== '' && micrographKey(name) !== micrographKey('micrograph'));

const coordinate = fc.double({ min: 0, max: 8192, noNaN: true });
const picks = fc.array(fc.record({ x: coordinate, y: coordinate, score: fc.double({ min: -50, max: 50, noNaN: true }) }), {
  minLength: 1,
  maxLength: 8,
});

/** The writers keep 6 significant digits; corner formats round the corner, not the centre;
 * .box corners are whole pixels (half a pixel). */
const close = (format: CoordinateFormat, back: number, x: number) =>
  Math.abs(back - x) <= (format === 'box' ? 0.5 : 0) + 1e-5 * (Math.abs(x) + BOX);

describe('coordinate files of micrographs with unusual names', () => {
  it.each(FORMATS)('%s: what is written reads back under the same micrograph', (format) => {
    fc.assert(
      fc.property(micrographName, picks, (name, written: Particle[]) => {
        const file = `out/${coordinateFileName(name, format)}`;
        const text = writeCoordinates(format, written, { micrographName: name, boxSize: BOX });
        const groups = readCoordinates(text, file);
        expect([...groups.keys()].map(micrographKey), `${format} ${JSON.stringify(name)} -> ${file}`).toEqual([micrographKey(name)]);
        const back = [...groups.values()][0];
        expect(back).toHaveLength(written.length);
        back.forEach((p, i) => {
          expect(
            close(format, p.x, written[i].x) && close(format, p.y, written[i].y),
            `${JSON.stringify(p)} vs ${JSON.stringify(written[i])}`,
          ).toBe(true);
          if (format !== 'box') expect(p.score).toBe(sig6(written[i].score as number) || 0);
        });
      }),
      { numRuns: 400 },
    );
  });

  it('the cases that failed: a Topaz table of "#..." and of a name with spaces', () => {
    for (const name of ['#1_grid.mrc', 'Falcon 4i sq3.mrc']) {
      const groups = readCoordinates(
        writeCoordinates('topaz', [{ x: 10, y: 20, score: 1 }], { micrographName: name, boxSize: BOX }),
        'out/x.txt',
      );
      expect([...groups]).toEqual([[micrographKey(name), [{ x: 10, y: 20, score: 1 }]]]);
    }
  });
});
