// bin/drpnet.js runs a bundle of src/cli: it must be rebuilt whenever it is older than a source
// it was built from, or the command would run stale code.
import { stat, utimes } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { CLI_BUNDLE, cliBundleStale, ensureCliBundle } from '../../scripts/build-cli.mjs';

it('rebuilds the CLI bundle when it is older than its sources, and only then', async () => {
  await ensureCliBundle();
  expect(cliBundleStale()).toBe(false);
  const fresh = (await stat(CLI_BUNDLE)).mtimeMs;
  expect(await ensureCliBundle()).toBe(CLI_BUNDLE);
  expect((await stat(CLI_BUNDLE)).mtimeMs).toBe(fresh); // not rebuilt when nothing changed
  const longAgo = new Date(1000);
  await utimes(CLI_BUNDLE, longAgo, longAgo); // every source is now newer than the bundle
  expect(cliBundleStale()).toBe(true);
  await ensureCliBundle();
  expect(cliBundleStale()).toBe(false);
  expect((await stat(CLI_BUNDLE)).mtimeMs).toBeGreaterThan(1000);
  const { main } = await import(CLI_BUNDLE);
  expect(typeof main).toBe('function');
}, 60_000);
