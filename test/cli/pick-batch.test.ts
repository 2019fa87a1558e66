// `drpnet pick` at dataset scale: --shard, --resume, atomic outputs and killed runs.
// Random-weight models: these tests check the plumbing, not the quality of the picks.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRelionCoordinates } from '../../src/core/coords/relion';
import { isMicrographFileName } from '../../src/core/io/micrograph';
import { openFileReader, ReadBuffer, temporaryName, writeFileAtomic } from '../../src/cli/files';
import { createImage } from '../../src/core/image';
import { writeMrc } from '../../src/core/io/mrc';
import { main } from '../../src/cli/main';
import { SHIPPED_MODELS_DIR } from '../../src/cli/models';
import { pickCommand } from '../../src/cli/pick';
import { captureOutput, DRPNET_BIN, writeRandomModels, writeSimulatedMrc } from '../helpers/fixtures';
import { shyClassifierWeights } from '../helpers/shy-classifier';

const COUNT = 8;
const DIAMETER = '28';
let root: string;
let mics: string;
let models: string;
let names: string[];
/** Output of one complete, uninterrupted run: file name -> content. */
let reference: Map<string, string>;

const starName = (mic: string) => mic.replace(/\.mrc$/, '_autopick.star');

async function outputs(dir: string, pattern = /_autopick\.star$/): Promise<Map<string, string>> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => pattern.test(f)).sort();
  return new Map(await Promise.all(files.map(async (f) => [f, await readFile(path.join(dir, f), 'utf8')] as [string, string])));
}

const pick = (...argv: string[]) => captureOutput(() => pickCommand([...argv, '--diameter', DIAMETER, '--models', models]));

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'drpnet-batch-'));
  mics = path.join(root, 'mics');
  models = await writeRandomModels(path.join(root, 'models'));
  names = Array.from({ length: COUNT }, (_, i) => `mic_${String(i + 1).padStart(2, '0')}.mrc`);
  for (let i = 0; i < COUNT; i++) await writeSimulatedMrc(path.join(mics, names[i]), 7 + i);
  const full = path.join(root, 'full');
  const run = await pick(mics, '--out', full);
  expect(run.result).toBe(0);
  reference = await outputs(full);
  // Comparisons below mean something only if the files hold picks.
  expect(reference.size).toBe(COUNT);
  for (const [file, text] of reference) expect(readRelionCoordinates(text, file).length).toBeGreaterThan(0);
  // Reference-free picks carry RELION's dummy class 0, as its LoG picker and the workbench's export write.
  for (const [file, text] of reference) expect(new Set(readRelionCoordinates(text, file).map((p) => p.classNumber))).toEqual(new Set([0]));
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('drpnet pick --shard', () => {
  it('N shards given the inputs in different orders cover every micrograph exactly once', async () => {
    const files = names.map((n) => path.join(mics, n));
    const inputs = [[mics], [...files].reverse(), [files[3], mics, files[0], files[3]]];
    const picked: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const out = path.join(root, `shard${i}`);
      const run = await pick(...inputs[i], '--shard', `${i}/3`, '--out', out);
      expect(run.result).toBe(0);
      expect(run.stderr).toContain(`shard ${i}/3:`);
      picked.push([...(await outputs(out)).keys()]);
    }
    const all = picked.flat();
    expect(all.sort()).toEqual(names.map(starName).sort());
    expect(new Set(all).size).toBe(COUNT);
    // Each shard's picks are byte-identical to the unsharded run's.
    for (let i = 0; i < 3; i++) {
      for (const [file, text] of await outputs(path.join(root, `shard${i}`))) expect(text).toBe(reference.get(file));
    }
  });

  it('a folder named twice, directly and through a symbolic link (a RELION project), is picked once, each micrograph in one shard', async () => {
    const link = path.join(root, 'mics-link');
    await symlink(mics, link);
    const picked: string[] = [];
    for (let i = 0; i < 2; i++) {
      const out = path.join(root, `linked${i}`);
      const run = await pick(mics, link, '--shard', `${i}/2`, '--out', out);
      expect(run.result, run.stderr).toBe(0);
      expect(run.stderr).toContain(`shard ${i}/2: ${COUNT / 2} of ${COUNT} micrograph(s)`);
      picked.push(...(await outputs(out)).keys());
    }
    expect(picked.sort()).toEqual(names.map(starName).sort());
    // A second name of one file is a second output the user asked for: it stays.
    const alias = path.join(root, 'alias');
    await mkdir(alias, { recursive: true });
    await symlink(path.join(mics, names[0]), path.join(alias, 'other.mrc'));
    const both = await pick(path.join(mics, names[0]), path.join(alias, 'other.mrc'), '--out', path.join(root, 'aliased'));
    expect(both.result, both.stderr).toBe(0);
    expect([...(await outputs(path.join(root, 'aliased'))).keys()].sort()).toEqual(['mic_01_autopick.star', 'other_autopick.star']);
  });

  it('refuses, in every shard, two micrographs in different shards that would write one output file', async () => {
    const tree = path.join(root, 'collide');
    for (const sub of ['a', 'b']) {
      await mkdir(path.join(tree, sub), { recursive: true });
      await copyFile(path.join(mics, names[0]), path.join(tree, sub, 'mic.mrc'));
    }
    const out = path.join(root, 'collide-out');
    for (let i = 0; i < 2; i++) {
      await expect(pick(path.join(tree, 'a'), path.join(tree, 'b'), '--out', out, '--shard', `${i}/2`, '--resume')).rejects.toThrow(
        /a\/mic\.mrc and .*b\/mic\.mrc would both be written to/,
      );
    }
    expect(await outputs(out)).toEqual(new Map());
  });

  it('rejects a shard index outside 0..N-1', async () => {
    await expect(pick(mics, '--shard', '3/3', '--out', path.join(root, 'bad'))).rejects.toThrow(/0\.\.2/);
  });
});

describe('drpnet pick --resume', () => {
  it('skips micrographs whose outputs exist, says so, and leaves those files untouched', async () => {
    const out = path.join(root, 'resume');
    expect((await pick(mics, '--out', out, '--format', 'star,box')).result).toBe(0);
    const before = await Promise.all(names.map((n) => stat(path.join(out, starName(n)))));
    // One micrograph lost its .box only; another has a stale temporary from a killed writer.
    await rm(path.join(out, names[2].replace('.mrc', '.box')));
    await rm(path.join(out, starName(names[5])));
    await rm(path.join(out, names[5].replace('.mrc', '.box')));
    const stale = temporaryName(path.join(out, starName(names[5])));
    await writeFile(stale, '\n# version 30001\n\ndata_\n\nloop_\n_rlnCoordinateX #1\n_rlnCoordi');

    const run = await pick(mics, '--out', out, '--format', 'star,box', '--resume');
    expect(run.result).toBe(0);
    const skipped = run.stderr.split('\n').filter((l) => l.includes('skipped, output exists'));
    expect(skipped).toHaveLength(COUNT - 2);
    expect(run.stderr).toMatch(new RegExp(`${names[2]}: \\d+ picks`));
    expect(run.stderr).toMatch(new RegExp(`${names[5]}: \\d+ picks`));
    const after = await Promise.all(names.map((n) => stat(path.join(out, starName(n)))));
    for (let i = 0; i < COUNT; i++) if (i !== 2 && i !== 5) expect(after[i].mtimeMs).toBe(before[i].mtimeMs);
    expect(await outputs(out)).toEqual(reference);
    // The stale temporary is inert: never taken for an output, never reused.
    expect((await readdir(out)).filter((f) => f.endsWith('.tmp'))).toEqual([path.basename(stale)]);
  });
});

describe('atomic outputs', () => {
  it('temporary names never look like an output or a micrograph', () => {
    for (const file of [
      'out/mic_01_autopick.star',
      'out/mic_01.box',
      'out/mic_01.cbox',
      'out/mic_01.txt',
      'out/mic_01.csv',
      'out/mic.mrc',
    ]) {
      const tmp = path.basename(temporaryName(file));
      expect(tmp.startsWith('.')).toBe(true);
      expect(tmp.endsWith('.tmp')).toBe(true);
      expect(isMicrographFileName(tmp)).toBe(false);
      expect(/_autopick\.star$|\.(star|box|cbox|txt|csv|tsv)$/i.test(tmp)).toBe(false);
    }
    expect(temporaryName('a/b.star')).not.toBe(temporaryName('a/b.star'));
  });

  it('a write that fails leaves neither the output nor its temporary', async () => {
    const dir = path.join(root, 'atomic');
    const target = path.join(dir, 'x_autopick.star');
    await writeFileAtomic(path.join(target, 'inner'), 'makes target a folder');
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['x_autopick.star']);
    expect((await stat(target)).isDirectory()).toBe(true);
  });

  it('a run killed mid-batch leaves only complete files, and --resume finishes the rest', async () => {
    const out = path.join(root, 'killed');
    const child = spawn(process.execPath, [DRPNET_BIN, 'pick', mics, '--diameter', DIAMETER, '--models', models, '--out', out], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    const killed = new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/\[1\/\d+\] .*picks in/.test(err)) child.kill('SIGKILL');
      });
      child.on('close', () => resolve());
    });
    await killed;
    expect(child.signalCode).toBe('SIGKILL');
    const partial = await outputs(out);
    expect(partial.size).toBeGreaterThan(0);
    expect(partial.size).toBeLessThan(COUNT);
    // Whatever was there when the process died is whole: identical to the complete run's file.
    for (const [file, text] of partial) expect(text).toBe(reference.get(file));
    const run = await pick(mics, '--out', out, '--resume');
    expect(run.result).toBe(0);
    expect(run.stderr.split('\n').filter((l) => l.includes('skipped, output exists')).length).toBe(partial.size);
    expect(await outputs(out)).toEqual(reference);
  }, 60_000);
});

describe('drpnet pick failures', () => {
  it('reports a bad micrograph, picks the others, and exits non-zero', async () => {
    const dir = path.join(root, 'withbad');
    await mkdir(dir);
    for (const n of names.slice(0, 2)) await copyFile(path.join(mics, n), path.join(dir, n));
    await writeFile(path.join(dir, 'broken.mrc'), 'not an MRC file');
    const run = await pick(dir);
    expect(run.result).toBe(1);
    expect(run.stderr).toMatch(/FAILED .*broken\.mrc/);
    expect(run.stderr).toContain('2 picked, 1 failed');
    expect([...(await outputs(dir)).keys()]).toEqual(names.slice(0, 2).map(starName));
  });

  it('reports an MRC cut short after its header with the bytes it lacks', async () => {
    const dir = path.join(root, 'cut');
    await mkdir(dir);
    const whole = await readFile(path.join(mics, names[0]));
    await writeFile(path.join(dir, 'cut.mrc'), whole.subarray(0, 1024 + 4000));
    const run = await pick(dir);
    expect(run.result).toBe(1);
    expect(run.stderr).toMatch(/FAILED .*cut\.mrc: header says \d+x\d+x1 float32 .* file holds 4,000 bytes of data/);
  });

  it('names the micrograph whose pixels are not finite numbers', async () => {
    const dir = path.join(root, 'nan');
    const img = createImage(64, 64, new Float32Array(64 * 64).fill(1));
    img.data[100] = Number.NaN;
    await mkdir(dir);
    await writeFile(path.join(dir, 'nan.mrc'), new Uint8Array(writeMrc(img)));
    const run = await pick(dir);
    expect(run.result).toBe(1);
    expect(run.stderr).toMatch(/FAILED .*nan\.mrc: the micrograph contains values that are not finite numbers/);
  });
});

describe('file readers', () => {
  it('share one buffer for band-sized reads and give a large read memory of its own', async () => {
    const file = path.join(root, 'bytes.bin');
    const big = ReadBuffer.KEEP_BYTES + 8;
    await writeFile(
      file,
      Uint8Array.from({ length: big }, (_, i) => i % 251),
    );
    const shared = new ReadBuffer();
    const a = await openFileReader(file, shared);
    const b = await openFileReader(file, shared);
    try {
      const first = await a.read(10, 4);
      expect([...first]).toEqual([10, 11, 12, 13]);
      const second = await b.read(1000, 4);
      expect(second.buffer).toBe(first.buffer); // the batch's one buffer
      const whole = await a.read(0, big);
      expect(whole.buffer).not.toBe(first.buffer);
      expect(whole.byteLength).toBe(big);
      expect(whole[big - 1]).toBe((big - 1) % 251);
      await expect(a.read(big - 2, 4)).rejects.toMatchObject({ code: 'truncated', file });
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('drpnet pick --stats', () => {
  it("writes the memory once the models are loaded, then each micrograph's stage times and picks", async () => {
    const out = path.join(root, 'stats');
    const statsFile = path.join(out, 'stats.jsonl');
    const run = await pick(path.join(mics, names[0]), path.join(mics, names[1]), '--out', out, '--stats', statsFile);
    expect(run.result).toBe(0);
    const records = (await readFile(statsFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((r) => r.event)).toEqual(['ready', 'micrograph', 'micrograph']);
    expect(records[0].rssBytes).toBeGreaterThan(0);
    for (const [i, r] of records.slice(1).entries()) {
      expect(r.micrograph).toBe(path.join(mics, names[i]));
      expect(r.picks).toBe(readRelionCoordinates(reference.get(starName(names[i]))!, names[i]).length);
      expect(Object.keys(r.timings)).toEqual(expect.arrayContaining(['open', 'preprocess', 'fcrn', 'peaks', 'classifier', 'write']));
      expect(r.maxRssBytes).toBeGreaterThanOrEqual(r.rssBytes);
      expect(r.maxRssBytes).toBeGreaterThanOrEqual(records[0].rssBytes);
    }
  });
});

describe('drpnet pick and per-micrograph calibration', () => {
  // The shipped models with a classifier whose scores run low (as on real data unlike its
  // training data): at the default cutoff it keeps nothing, so calibration steps in.
  const shy = async () => {
    const dir = path.join(root, 'models-shy');
    await mkdir(path.join(dir, 'fcrn'), { recursive: true });
    await mkdir(path.join(dir, 'classifier'), { recursive: true });
    for (const f of ['fcrn/model.json', 'fcrn/weights.bin', 'classifier/model.json'])
      await copyFile(path.join(SHIPPED_MODELS_DIR, f), path.join(dir, f));
    await writeFile(path.join(dir, 'classifier', 'weights.bin'), shyClassifierWeights(SHIPPED_MODELS_DIR));
    return dir;
  };
  const picked = async (name: string, ...extra: string[]) => {
    const out = path.join(root, name);
    const statsFile = path.join(out, 'stats.jsonl');
    const run = await captureOutput(async () =>
      pickCommand([
        path.join(mics, names[0]),
        '--diameter',
        DIAMETER,
        '--models',
        await shy(),
        '--out',
        out,
        '--stats',
        statsFile,
        ...extra,
      ]),
    );
    expect(run.result).toBe(0);
    const line = run.stderr.split('\n').find((l) => l.includes('picks in'))!;
    const record = (await readFile(statsFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((r) => r.event === 'micrograph');
    const star = readRelionCoordinates(await readFile(path.join(out, starName(names[0])), 'utf8'), starName(names[0]));
    return { line, picks: Number(/: (\d+) picks in/.exec(line)![1]), record, star, stderr: run.stderr };
  };

  it('says on the micrograph line, and in --stats, when calibration raised the scores; the figures of merit written are the raised ones', async () => {
    const { line, picks, record, star, stderr } = await picked('calibrated');
    expect(picks).toBeGreaterThan(0);
    expect(line).toContain(
      `calibrated: the classifier's scores ran low: the default cutoff 0.9 kept 0 of the ~${picks} particles the detector estimates`,
    );
    expect(record).toMatchObject({ picks, calibrated: true });
    // Kept 0 of the detector's estimate: the networks disagree, which is said once, after the count.
    expect(stderr.split('the two networks disagreed')).toHaveLength(2);
    expect(stderr).toMatch(/drpnet pick: 1 picked, 0 failed\ndrpnet pick: warning: on 1 of 1 micrograph\(s\) the two networks disagreed/);
    expect(star).toHaveLength(picks);
    for (const p of star) expect(p.score).toBeGreaterThan(0.1);
    // A stricter cutoff keeps fewer of them, never more.
    const strict = await picked('calibrated-strict', '--cutoff', '0.5');
    expect(strict.picks).toBeLessThan(picks);
    expect(strict.record).toMatchObject({ calibrated: true });
  });

  it('says nothing of it when calibration is off, and keeps what the cutoff keeps', async () => {
    const { line, picks, record } = await picked('not-calibrated', '--no-calibrate');
    expect(picks).toBe(0);
    expect(line).not.toContain('calibrated');
    expect(record).toMatchObject({ picks: 0, calibrated: false });
    expect((await picked('not-calibrated-2', '--no-calibrate')).stderr).not.toContain('disagreed');
  });
});

describe("drpnet pick and the models' own settings", () => {
  // A models folder whose detector carries settings, as `drpnet fine-tune` writes them.
  const withSettings = async (pickSettings: Record<string, unknown>) => {
    const dir = path.join(root, `models-with-settings-${Object.keys(pickSettings).join('-')}`);
    await mkdir(path.join(dir, 'fcrn'), { recursive: true });
    await mkdir(path.join(dir, 'classifier'), { recursive: true });
    for (const f of ['fcrn/weights.bin', 'classifier/model.json', 'classifier/weights.bin'])
      await copyFile(path.join(models, f), path.join(dir, f));
    const json = JSON.parse(await readFile(path.join(models, 'fcrn', 'model.json'), 'utf8'));
    json.userDefinedMetadata.pickSettings = pickSettings;
    await writeFile(path.join(dir, 'fcrn', 'model.json'), JSON.stringify(json));
    return dir;
  };
  const run = async (modelsDir: string, name: string, ...extra: string[]) => {
    const out = path.join(root, name);
    const r = await captureOutput(() =>
      pickCommand([path.join(mics, names[0]), '--diameter', DIAMETER, '--models', modelsDir, '--out', out, ...extra]),
    );
    expect(r.result, r.stderr).toBe(0);
    return { stderr: r.stderr, star: await readFile(path.join(out, starName(names[0])), 'utf8') };
  };

  it('replace the defaults, say so, and give way to options given', async () => {
    const dir = await withSettings({ threshold: 40 });
    const strictByOption = await run(models, 'strict-by-option', '--threshold', '40');
    expect(strictByOption.star).not.toBe(reference.get(starName(names[0])));
    const fromModels = await run(dir, 'strict-by-models');
    expect(fromModels.star).toBe(strictByOption.star);
    expect(fromModels.stderr).toContain("; the models' own settings (drpnet fine-tune): threshold 40");
    const overridden = await run(dir, 'overridden', '--threshold', '4');
    expect(overridden.star).toBe(reference.get(starName(names[0])));
    expect(overridden.stderr).not.toContain("the models' own settings");
  });

  it('refuses settings a detector may not carry, naming the file', async () => {
    const dir = await withSettings({ diameter: 64 });
    const r = await captureOutput(() =>
      main(['pick', path.join(mics, names[0]), '--diameter', DIAMETER, '--models', dir, '--out', path.join(root, 'bad')]),
    );
    expect(r.result).toBe(2);
    expect(r.stderr).toContain(
      `${path.join(dir, 'fcrn', 'model.json')}: the model's pickSettings name 'diameter'; they may set only threshold, cutoff, calibrate`,
    );
  });
});
