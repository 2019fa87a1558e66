// bin/drpnet.js runs a bundle of src/cli: it must be rebuilt whenever it is older than a file
// it was built from, or the command would run stale code. Built into a folder of its own, so
// the commands other tests run keep using dist/cli undisturbed.
import { mkdtemp, readFile, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { cliBundleStale, ensureCliBundle } from '../../scripts/build-cli.mjs';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');
let outDir: string | undefined;

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

it('rebuilds the CLI bundle when it is older than its sources, and only then', async () => {
  outDir = await mkdtemp(path.join(DIST, 'cli-test-'));
  expect(cliBundleStale(outDir)).toBe(true); // nothing built yet
  const bundle = await ensureCliBundle(outDir);
  expect(cliBundleStale(outDir)).toBe(false);
  const { inputs } = JSON.parse(await readFile(path.join(outDir, 'inputs.json'), 'utf8'));
  expect(inputs).toEqual(
    expect.arrayContaining(['src/cli/main.ts', 'src/core/io/mrc-stream.ts', 'package-lock.json', 'scripts/build-cli.mjs']),
  );
  const fresh = (await stat(bundle)).mtimeMs;
  expect(await ensureCliBundle(outDir)).toBe(bundle);
  expect((await stat(bundle)).mtimeMs).toBe(fresh); // not rebuilt when nothing changed
  const longAgo = new Date(1000);
  await utimes(bundle, longAgo, longAgo); // every source is now newer than the bundle
  expect(cliBundleStale(outDir)).toBe(true);
  await ensureCliBundle(outDir);
  expect(cliBundleStale(outDir)).toBe(false);
  const { main } = await import(bundle);
  expect(typeof main).toBe('function');
}, 60_000);
