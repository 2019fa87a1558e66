// bench/realdata.ts on a set other than the shared one (bench/real.ts --set): its split, and
// scoring at that set's own diameter, over the particles lying wholly inside.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeRelionCoordinates } from '../../src/core/coords/relion';
import { createImage } from '../../src/core/image';
import { writeMrc } from '../../src/core/io/mrc';
import { labelsOf, loadRealMicrograph, realLabels, realSetAt, realSetAvailable, realSplit, scoreSet } from '../../bench/realdata';

const dir = mkdtempSync(path.join(os.tmpdir(), 'drpnet-realset-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(path.join(dir, 'micrographs'));
mkdirSync(path.join(dir, 'coordinates'));
for (const name of ['c', 'a', 'b']) {
  writeFileSync(path.join(dir, 'micrographs', `${name}.mrc`), new Uint8Array(writeMrc(createImage(200, 100))));
  // One particle well inside, one whose centre lies 5 px from the left edge (less than a radius of 20).
  const truth = [
    { x: 100, y: 50 },
    { x: 5, y: 50 },
  ];
  writeFileSync(path.join(dir, 'coordinates', `${name}.star`), writeRelionCoordinates(truth));
}
// Not a micrograph: left out of the split.
writeFileSync(path.join(dir, 'micrographs', 'README.md'), 'notes');

describe('a real set in the shared layout, measured at its own diameter', () => {
  it('splits its micrographs by name and carries the diameter to every micrograph', async () => {
    const set = realSetAt(dir, 40, 1);
    expect(realSetAvailable(set)).toBe(true);
    expect(realSplit(set)).toEqual({ labelled: ['a.mrc'], scoring: ['b.mrc', 'c.mrc'] });
    const m = await loadRealMicrograph(set, 'b.mrc', await realLabels(set));
    expect(m.diameter).toBe(40);
    expect(m.truth).toHaveLength(2);
    expect(m.micrograph.image.width).toBe(200);
  });

  it('matches within one radius of the set, and leaves out particles crossing the edge', async () => {
    const set = realSetAt(dir, 40, 1);
    const labels = await realLabels(set);
    const mics = await Promise.all(['b.mrc', 'c.mrc'].map((n) => loadRealMicrograph(set, n, labels)));
    // 19 px off: inside the radius of 20; the edge particle is neither found nor missed.
    const near = scoreSet([[{ x: 119, y: 50 }], [{ x: 100, y: 69 }]], mics);
    expect(near.scores).toMatchObject({ tp: 2, fp: 0, fn: 0 });
    expect(near.perMic).toBe(1);
    // 21 px off at diameter 40 is a miss; at diameter 50 (radius 25) it is a match.
    expect(scoreSet([[{ x: 121, y: 50 }], []], mics).scores).toMatchObject({ tp: 0, fp: 1, fn: 2 });
    const wider = await Promise.all(['b.mrc', 'c.mrc'].map((n) => loadRealMicrograph(realSetAt(dir, 50, 1), n, labels)));
    expect(scoreSet([[{ x: 121, y: 50 }], []], wider).scores).toMatchObject({ tp: 1, fp: 0, fn: 1 });
  });

  it('reads labels named as RELION names them, and says which micrograph has none', async () => {
    const other = mkdtempSync(path.join(os.tmpdir(), 'drpnet-realset-relion-'));
    try {
      mkdirSync(path.join(other, 'micrographs'));
      mkdirSync(path.join(other, 'coordinates'));
      for (const name of ['FoilHole_1_fractions', 'FoilHole_2_fractions'])
        writeFileSync(path.join(other, 'micrographs', `${name}.mrc`), new Uint8Array(writeMrc(createImage(200, 100))));
      writeFileSync(path.join(other, 'coordinates', 'FoilHole_1_fractions_autopick.star'), writeRelionCoordinates([{ x: 100, y: 50 }]));
      const set = realSetAt(other, 40, 0);
      const labels = await realLabels(set);
      expect((await loadRealMicrograph(set, 'FoilHole_1_fractions.mrc', labels)).truth).toEqual([{ x: 100, y: 50 }]);
      expect(labelsOf(labels, 'FoilHole_2_fractions.mrc')).toBeUndefined();
      await expect(loadRealMicrograph(set, 'FoilHole_2_fractions.mrc', labels)).rejects.toThrow(
        /FoilHole_2_fractions\.mrc: no coordinate file for it in .*coordinates/,
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('refuses a diameter or labelled count that cannot be right', () => {
    expect(() => realSetAt(dir, Number.NaN, 5)).toThrow(/diameter/);
    expect(() => realSetAt(dir, 40, -1)).toThrow(/labelled/);
    expect(() => realSetAt(dir, 40, 1, Number.NaN)).toThrow(/pixel size/);
  });
});
