// Property tests for the coordinate readers and writers: whatever the text, a reader returns
// picks with finite numbers or throws a CoordinateFileError naming the file, quickly; and what
// the writers write reads back as the same picks to 6 significant digits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoordinateFileError } from '../errors';
import { readBox, writeBox } from './box';
import { readCbox, writeCbox } from './cbox';
import { readCsv, writeCsv } from './csv';
import { readCoordinates } from './index';
import {
  readRelionCoordinateList,
  readRelionCoordinates,
  readRelionMicrographs,
  readRelionParticles,
  writeRelionCoordinates,
} from './relion';
import { parseStar } from './star';
import { golden, sig6 } from './testdata/golden';
import { readTopaz, writeTopaz } from './topaz';
import type { Particle } from './types';

/** Per call, on a 2-core machine that is busy with other work; a parse of these inputs takes well under 1 ms. */
const TIME_BOUND_MS = 200;

const GOLDENS = [
  'relion30_autopick.star',
  'relion31_autopick.star',
  'relion5_topaz_autopick.star',
  'relion4_autopick_list.star',
  'relion31_particles.star',
  'relion30_particles.star',
  'relion31_micrographs.star',
  'relion30_micrographs.star',
  'eman2_boxer.box',
  'cryolo.box',
  'cryolo.cbox',
  'cryolo_empty.cbox',
  'topaz_extract.txt',
  'picks.csv',
];
const TEXTS = GOLDENS.map((name) => ({ name, text: golden(name) }));

/** Pieces of the formats, so random text often gets deep into the parsers. */
const TOKENS = [
  'data_',
  'data_optics',
  'data_particles',
  'data_cryolo',
  'data_global',
  'data_coordinate_files',
  'loop_',
  'save_x',
  'global_',
  ';',
  '_rlnCoordinateX',
  '_rlnCoordinateY',
  '_rlnMicrographName',
  '_rlnMicrographCoordinates',
  '_rlnOriginXAngst',
  '_rlnOriginYAngst',
  '_rlnOriginX',
  '_rlnOriginY',
  '_rlnOpticsGroup',
  '_rlnImagePixelSize',
  '_rlnMicrographPixelSize',
  '_rlnAutopickFigureOfMerit',
  '_rlnClassNumber',
  '_rlnAnglePsi',
  '_rlnMagnification',
  '_rlnDetectorPixelSize',
  '_CoordinateX',
  '_CoordinateY',
  '_Width',
  '_Height',
  '_Confidence',
  '_cbox_format_version',
  '#1',
  '#',
  '"',
  "'",
  '""',
  ' ',
  '\t',
  '\n',
  '\r\n',
  '\r',
  '\uFEFF',
  ',',
  ';',
  '0',
  '1',
  '-2.5',
  '1e5',
  '1e308',
  '-1e308',
  '1.7e308',
  '5e-324',
  '0.000512',
  'nan',
  'inf',
  '<NA>',
  '-999',
  '180',
  '0.0',
  'image_name',
  'x_coord',
  'y_coord',
  'score',
  'micrograph_name',
  'x',
  'y',
  'mic.mrc',
  'a b',
  '"q ""x"""',
];

const tokenText = fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).map((t) => t.join(''));

/** Extreme and odd numbers, for tables whose structure is right but whose values are not. */
const NUMS = ['0', '1', '-1', '2.5', '180', '0.885', '1e308', '1.7e308', '-1.7e308', '5e-324', '-5e-324', '1e-300', 'nan', '<NA>', '-999'];
/** Headers of each format; {num} stands for a pixel size drawn from NUMS. */
const HEADERS: Array<[string, string]> = [
  ['', ' '],
  ['data_\nloop_\n_rlnCoordinateX #1\n_rlnCoordinateY #2\n_rlnAutopickFigureOfMerit #3\n', ' '],
  [
    'data_optics\nloop_\n_rlnOpticsGroup\n_rlnImagePixelSize\n1 {num}\ndata_particles\nloop_\n_rlnMicrographName\n_rlnCoordinateX\n_rlnCoordinateY\n_rlnOriginXAngst\n_rlnOriginYAngst\n_rlnOpticsGroup\n',
    ' ',
  ],
  ['data_\nloop_\n_rlnMicrographName\n_rlnCoordinateX\n_rlnCoordinateY\n_rlnOriginX\n_rlnOriginY\n', '\t'],
  [
    'data_optics\nloop_\n_rlnOpticsGroup\n_rlnMicrographPixelSize\n1 {num}\ndata_micrographs\nloop_\n_rlnMicrographName\n_rlnOpticsGroup\n',
    ' ',
  ],
  ['data_global\n_cbox_format_version 1.0\ndata_cryolo\nloop_\n_CoordinateX\n_CoordinateY\n_Width\n_Height\n_Confidence\n', ' '],
  ['image_name\tx_coord\ty_coord\tscore\n', '\t'],
  ['micrograph_name,x,y,score\n', ','],
];
const structuredText = fc
  .tuple(
    fc.constantFrom(...HEADERS),
    fc.constantFrom(...NUMS),
    fc.array(fc.array(fc.constantFrom(...NUMS), { minLength: 1, maxLength: 7 }), { maxLength: 4 }),
  )
  .map(([[header, sep], px, rows]) => header.replace('{num}', px) + rows.map((r) => r.join(sep)).join('\n') + '\n');

const randomText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({ unit: 'binary-ascii', maxLength: 400 }),
  { arbitrary: tokenText, weight: 2 },
  { arbitrary: structuredText, weight: 4 },
);

const mutation = fc.record({
  kind: fc.constantFrom('delete', 'insert', 'replace', 'duplicate-line', 'cut'),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 40 }),
  token: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: 'binary-ascii', maxLength: 3 })),
});
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, muts: Mutation[]): string {
  let s = text;
  for (const m of muts) {
    const at = s.length ? m.at % (s.length + 1) : 0;
    if (m.kind === 'delete') s = s.slice(0, at) + s.slice(at + m.len);
    else if (m.kind === 'insert') s = s.slice(0, at) + m.token + s.slice(at);
    else if (m.kind === 'replace') s = s.slice(0, at) + m.token + s.slice(at + m.token.length);
    else if (m.kind === 'cut') s = s.slice(0, at);
    else {
      const start = s.lastIndexOf('\n', at - 1) + 1;
      const end = s.indexOf('\n', at);
      const line = s.slice(start, end < 0 ? s.length : end + 1);
      s = s.slice(0, start) + line + line + s.slice(start + line.length);
    }
  }
  return s;
}

const finite = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v));

function checkPicks(picks: Particle[]): void {
  for (const p of picks) {
    expect(Number.isFinite(p.x) && Number.isFinite(p.y), `pick ${JSON.stringify(p)}`).toBe(true);
    expect(finite(p.score) && finite(p.classNumber) && finite(p.psi), `pick ${JSON.stringify(p)}`).toBe(true);
  }
}

function checkResult(result: unknown): void {
  if (result instanceof Map) for (const picks of result.values()) checkPicks(picks as Particle[]);
  else if (Array.isArray(result) && result.every((p) => p && typeof p === 'object' && 'x' in p)) checkPicks(result as Particle[]);
}

/** A reader either gives a well-formed result or a CoordinateFileError that names the file, within the time bound. */
function checkOutcome(read: () => unknown, file: string): void {
  const t0 = performance.now();
  try {
    checkResult(read());
  } catch (e) {
    if (!(e instanceof CoordinateFileError)) throw e;
    expect(e.file).toBe(file);
    expect(e.message.startsWith(`${file}: `)).toBe(true);
  }
  expect(performance.now() - t0).toBeLessThan(TIME_BOUND_MS);
}

/** Every reader (and the dispatcher under several names) on one text. */
function checkAllReaders(text: string, base: string): void {
  const star = `${base}.star`;
  checkOutcome(() => parseStar(text, star), star);
  checkOutcome(() => readRelionCoordinates(text, star), star);
  checkOutcome(() => readRelionParticles(text, star), star);
  checkOutcome(() => readRelionMicrographs(text, star), star);
  checkOutcome(() => readRelionCoordinateList(text, star), star);
  checkOutcome(() => readCbox(text, `${base}.cbox`), `${base}.cbox`);
  checkOutcome(() => readCbox(text, `${base}.cbox`, { boxSize: 64 }), `${base}.cbox`);
  checkOutcome(() => readBox(text, `${base}.box`), `${base}.box`);
  checkOutcome(() => readBox(text, `${base}.box`, { boxSize: 64 }), `${base}.box`);
  checkOutcome(() => readTopaz(text, `${base}.txt`), `${base}.txt`);
  checkOutcome(() => readCsv(text, `${base}.csv`), `${base}.csv`);
  checkOutcome(() => readCsv(text, `${base}.csv`, 'mic.mrc'), `${base}.csv`);
  for (const ext of ['.star', '.box', '.cbox', '.csv', '.txt', '']) {
    checkOutcome(() => readCoordinates(text, `dir/${base}${ext}`), `dir/${base}${ext}`);
  }
}

describe('coordinate readers on hostile input', () => {
  it('random text gives picks or a CoordinateFileError, fast', () => {
    fc.assert(
      fc.property(randomText, (text) => checkAllReaders(text, 'random')),
      { numRuns: 2000 },
    );
  });

  it('mutated golden files give picks or a CoordinateFileError, fast', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TEXTS), fc.array(mutation, { minLength: 1, maxLength: 6 }), ({ name, text }, muts) =>
        checkAllReaders(mutate(text, muts), name.replace(/\.\w+$/, '')),
      ),
      { numRuns: 1000 },
    );
  });

  it('the golden files themselves go through every reader the same way', () => {
    for (const { name, text } of TEXTS) checkAllReaders(text, name.replace(/\.\w+$/, ''));
  });

  it('large and pathological inputs stay linear', () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => `${i}.5 ${i * 2}.25 1 0.5 -999`).join('\n');
    const big = `data_\nloop_\n_rlnCoordinateX\n_rlnCoordinateY\n_rlnClassNumber\n_rlnAutopickFigureOfMerit\n_rlnAnglePsi\n${rows}\n`;
    let t0 = performance.now();
    expect(readRelionCoordinates(big, 'big.star')).toHaveLength(50_000);
    expect(performance.now() - t0).toBeLessThan(3000);

    // Many quotes that never close properly, one long line.
    const quotes = `data_\nloop_\n_a\n"${'a\'b"c'.repeat(100_000)}`;
    t0 = performance.now();
    expect(() => parseStar(quotes, 'q.star')).toThrow(CoordinateFileError);
    expect(() => readCsv(`x,y\n"${'a"b'.repeat(100_000)}`, 'q.csv')).toThrow(CoordinateFileError);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});

describe('round trips with arbitrary finite numbers', () => {
  const num = fc.double({ noNaN: true, noDefaultInfinity: true });
  /** What a writer keeps of x: 6 significant digits; -0 is written as 0. */
  const kept = (x: number) => sig6(x) || 0;
  /** Corner formats write x - size/2 to 6 digits: the centre comes back within half a unit in the 6th digit of the corner. */
  const closeThroughCorner = (back: number, x: number, size: number) =>
    Math.abs(back - x) <= 5e-6 * Math.abs(x - size / 2) + 1e-15 * (Math.abs(x) + size);
  const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,15}$/);

  it('RELION STAR', () => {
    const pick = fc.record({ x: num, y: num, score: num, classNumber: fc.integer({ min: -5, max: 1000 }), psi: num });
    fc.assert(
      fc.property(fc.array(pick, { maxLength: 20 }), (picks) => {
        const back = readRelionCoordinates(writeRelionCoordinates(picks), 'a.star');
        expect(back).toEqual(
          picks.map((p) => ({ x: kept(p.x), y: kept(p.y), score: kept(p.score), classNumber: p.classNumber, psi: kept(p.psi) })),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('EMAN .box and crYOLO .cbox (corner <-> centre)', () => {
    const pick = fc.record({ x: num, y: num, score: num });
    fc.assert(
      fc.property(fc.array(pick, { maxLength: 20 }), fc.integer({ min: 1, max: 2000 }), (picks, size) => {
        const fromBox = readBox(writeBox(picks, size), 'a.box');
        const fromCbox = readCbox(writeCbox(picks, size), 'a.cbox');
        expect(fromBox).toHaveLength(picks.length);
        expect(fromCbox).toHaveLength(picks.length);
        picks.forEach((p, i) => {
          expect(closeThroughCorner(fromCbox[i].x, p.x, size), `x ${p.x} -> ${fromCbox[i].x}`).toBe(true);
          expect(closeThroughCorner(fromCbox[i].y, p.y, size), `y ${p.y} -> ${fromCbox[i].y}`).toBe(true);
          // .box corners are whole pixels: the centre comes back within half a pixel.
          expect(Math.abs(fromBox[i].x - p.x), `x ${p.x} -> ${fromBox[i].x}`).toBeLessThanOrEqual(0.5 + 1e-9 * (Math.abs(p.x) + size));
          expect(Math.abs(fromBox[i].y - p.y), `y ${p.y} -> ${fromBox[i].y}`).toBeLessThanOrEqual(0.5 + 1e-9 * (Math.abs(p.y) + size));
          expect(fromCbox[i].score).toBe(kept(p.score));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('Topaz table', () => {
    const pick = fc.record({ x: num, y: num, score: num });
    fc.assert(
      fc.property(fc.array(pick, { minLength: 1, maxLength: 20 }), name, (picks, mic) => {
        const back = readTopaz(writeTopaz(picks, `Movies/${mic}.mrc`), 'a.txt');
        expect([...back.values()]).toEqual([picks.map((p) => ({ x: kept(p.x), y: kept(p.y), score: kept(p.score) }))]);
      }),
      { numRuns: 300 },
    );
  });

  it('CSV, with any micrograph name on one line', () => {
    const pick = fc.record({ x: num, y: num, score: fc.option(num, { nil: undefined }) });
    const anyName = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((s) => !/[\r\n]/.test(s) && s.trim() !== '');
    fc.assert(
      fc.property(fc.array(pick, { minLength: 1, maxLength: 20 }), anyName, (picks, mic) => {
        const back = readCsv(writeCsv(picks, mic), 'a.csv');
        const want = picks.map((p) =>
          p.score === undefined ? { x: kept(p.x), y: kept(p.y) } : { x: kept(p.x), y: kept(p.y), score: kept(p.score) },
        );
        expect([...back]).toEqual([[mic, want]]);
      }),
      { numRuns: 300 },
    );
  });
});
