import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRelionCoordinates } from '../core/coords/relion';
import { readCoordinateFolder, unusedTruthMessage } from './coordinate-folder';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'drpnet-truth-'));
  for (const name of ['mic_1', 'mic_2', 'grid3_0007'])
    await writeFile(path.join(dir, `${name}.star`), writeRelionCoordinates([{ x: 10, y: 10 }]));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('labels that training leaves unused', () => {
  it('are those of micrographs not given, named by micrograph', async () => {
    const truth = await readCoordinateFolder(dir, { label: '--truth' });
    expect(unusedTruthMessage(truth, ['/data/mic_1.mrc', '/data/MIC_2.mrc'], '--truth t')).toBe(
      '--truth t: labels of 1 micrograph(s) not given are not used: grid3_0007',
    );
    expect(unusedTruthMessage(truth, ['a/mic_1.mrc', 'a/mic_2.mrc', 'a/grid3_0007.tif'], '--truth t')).toBeUndefined();
  });
});
