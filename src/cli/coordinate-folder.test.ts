import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCbox } from '../core/coords/cbox';
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

describe('a RELION picking job folder', () => {
  it('passes over its micrographs STAR (micrographs_selected.star), and fails one given as the file itself', async () => {
    const job = await mkdtemp(path.join(tmpdir(), 'drpnet-manualpick-'));
    try {
      const movies = path.join(job, 'Movies');
      await mkdir(movies);
      await writeFile(path.join(movies, 'mic_1_manualpick.star'), writeRelionCoordinates([{ x: 10, y: 10 }]));
      const selected = path.join(job, 'micrographs_selected.star');
      await writeFile(
        selected,
        'data_optics\nloop_\n_rlnOpticsGroup\n_rlnMicrographPixelSize\n1 1.0\n\ndata_micrographs\nloop_\n_rlnMicrographName\n_rlnOpticsGroup\nMotionCorr/job002/Movies/mic_1.mrc 1\n',
      );
      const read = await readCoordinateFolder(job, { label: '--truth' });
      expect([...read.picks.keys()]).toEqual(['mic_1']);
      expect(read.failed).toEqual([]);
      expect(read.warnings).toEqual([]);
      const alone = await readCoordinateFolder(selected, { label: '--truth' });
      expect(alone.picks.size).toBe(0);
      expect(alone.failed).toEqual([`${selected}: a RELION micrographs STAR, which names micrographs and holds no coordinates`]);
    } finally {
      await rm(job, { recursive: true, force: true });
    }
  });
});

describe("crYOLO's CBOX folder", () => {
  it("says how many detections lie under crYOLO's default threshold; files this program wrote are left alone", async () => {
    const cbox = await mkdtemp(path.join(tmpdir(), 'drpnet-cbox-'));
    try {
      const cryolo = (c: number[]) =>
        `data_cryolo\nloop_\n_CoordinateX\n_CoordinateY\n_Width\n_Height\n_Confidence\n${c.map((v, i) => `${i * 50} 10 40 40 ${v}`).join('\n')}\n`;
      await writeFile(path.join(cbox, 'mic_1.cbox'), cryolo([0.9, 0.12, 0.05]));
      await writeFile(path.join(cbox, 'mic_2.cbox'), writeCbox([{ x: 30, y: 30, score: 0.1 }], 40));
      const read = await readCoordinateFolder(cbox, { label: '--picks' });
      expect(read.picks.get('mic_1')).toHaveLength(3);
      expect(read.warnings).toEqual([
        `--picks: ${path.join(cbox, 'mic_1.cbox')}: 2 detection(s) under crYOLO's default confidence threshold (0.3), read as picks: crYOLO writes every detection to CBOX/; its STAR/ and EMAN/ folders hold only those it kept`,
      ]);
    } finally {
      await rm(cbox, { recursive: true, force: true });
    }
  });
});

describe("crYOLO's output folder (CBOX/, STAR/, EMAN/)", () => {
  it("says nothing of the CBOX/ detections under crYOLO's threshold when its STAR/ files are the ones read", async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'drpnet-cryolo-'));
    try {
      await mkdir(path.join(out, 'CBOX'));
      await mkdir(path.join(out, 'STAR'));
      await writeFile(
        path.join(out, 'CBOX', 'mic_1.cbox'),
        'data_cryolo\nloop_\n_CoordinateX\n_CoordinateY\n_Width\n_Height\n_Confidence\n0 10 40 40 0.9\n50 10 40 40 0.1\n',
      );
      await writeFile(path.join(out, 'STAR', 'mic_1.star'), writeRelionCoordinates([{ x: 20, y: 30 }]));
      const read = await readCoordinateFolder(out, { label: '--picks' });
      expect(read.picks.get('mic_1')).toEqual([{ x: 20, y: 30 }]);
      expect(read.warnings.filter((w) => w.includes('threshold'))).toEqual([]);
      const cbox = await readCoordinateFolder(out, { label: '--picks', formats: ['cbox'] });
      expect(cbox.warnings.filter((w) => w.includes('threshold'))).toHaveLength(1);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

describe('coordinate files named after their micrograph and more', () => {
  const star = (x: number) => writeRelionCoordinates([{ x, y: 10 }]);
  async function folder(files: Record<string, string>, run: (dir: string) => Promise<void>): Promise<void> {
    const dir = await mkdtemp(path.join(tmpdir(), 'drpnet-prefix-'));
    try {
      for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
      await run(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const xs = (read: Awaited<ReturnType<typeof readCoordinateFolder>>) =>
    Object.fromEntries([...read.picks].map(([k, p]) => [k, p.map((q) => q.x)]));

  it('fail a table of numbers without a header (centres or corners unknown), so its micrograph is not scored as nothing picked; a stray note is skipped', () =>
    folder({ 'mic_1.star': star(10), 'mic_2.txt': '100 100\n200 200\n', 'notes.txt': 'ask Sam\n' }, async (dir) => {
      const read = await readCoordinateFolder(dir, { label: '--picks' });
      expect(xs(read)).toEqual({ mic_1: [10] });
      expect(read.failed).toEqual([expect.stringMatching(/mic_2\.txt.*particle centres or EMAN box corners/)]);
      expect([...read.failedKeys]).toEqual(['mic_2']);
      expect(read.warnings).toEqual([expect.stringMatching(/skipped .*notes\.txt/)]);
    }));

  it('match the micrographs given by the longest name they start with, as the workbench matches, and say so', () =>
    folder({ 'mic_1_topaz-run3.star': star(10), 'mic_1_2_topaz-run3.star': star(20), 'mic_10_autopick.star': star(30) }, async (dir) => {
      const read = await readCoordinateFolder(dir, { label: '--truth', micrographs: ['d/mic_1.mrc', 'd/mic_1_2.mrc', 'd/mic_10.mrc'] });
      expect(xs(read)).toEqual({ mic_1: [10], mic_1_2: [20], mic_10: [30] });
      expect(read.names.get('mic_1')).toBe('mic_1');
      expect(read.warnings).toEqual([
        '--truth: mic_1_2_topaz-run3 -> mic_1_2, mic_1_topaz-run3 -> mic_1: matched to a micrograph by the start of the name only',
      ]);
      // Without the micrographs, each file names a micrograph of its own.
      const alone = await readCoordinateFolder(dir, { label: '--truth' });
      expect(Object.keys(xs(alone)).sort()).toEqual(['mic_10', 'mic_1_2_topaz-run3', 'mic_1_topaz-run3']);
      expect(alone.warnings).toEqual([]);
    }));

  it("never where the file may be another micrograph's: the micrograph has its own file, two files start with its name, or a table's rows name it", async () => {
    // Only mic_1 given, labels for the whole set: mic_1_2's stay mic_1_2's (unused), as before.
    await folder({ 'mic_1.star': star(10), 'mic_1_2.star': star(20) }, async (dir) => {
      const read = await readCoordinateFolder(dir, { label: '--truth', micrographs: ['mic_1.mrc'] });
      expect(xs(read)).toEqual({ mic_1: [10], mic_1_2: [20] });
      expect(read.warnings).toEqual([]);
    });
    await folder({ 'mic_1_run2.star': star(10), 'mic_1_run3.star': star(20) }, async (dir) => {
      const read = await readCoordinateFolder(dir, { label: '--truth', micrographs: ['mic_1.mrc'] });
      expect(xs(read)).toEqual({ mic_1_run2: [10], mic_1_run3: [20] });
    });
    const particles =
      'data_particles\nloop_\n_rlnMicrographName\n_rlnCoordinateX\n_rlnCoordinateY\nMovies/mic_1.mrc 10 10\nMovies/mic_1_2.mrc 20 10\n';
    await folder({ 'particles.star': particles }, async (dir) => {
      const read = await readCoordinateFolder(dir, { label: '--truth', micrographs: ['mic_1.mrc'] });
      expect(xs(read)).toEqual({ mic_1: [10], mic_1_2: [20] });
    });
  });
});
