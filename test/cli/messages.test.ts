// What the CLI says when it refuses: what is wrong, named (the folders searched, what they
// hold, the unit a number is in).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickCommand } from '../../src/cli/pick';
import { captureOutput } from '../helpers/fixtures';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'drpnet-messages-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('refusals', () => {
  const pick = (...argv: string[]) => captureOutput(() => pickCommand(argv));

  it('--diameter -60 says what --diameter=-60 says, not that the argument is ambiguous', async () => {
    const expected = "--diameter: '-60' is not a valid value (a number from 10 to 800 pixels)";
    await expect(pick(root, '--diameter=-60')).rejects.toThrow(expected);
    await expect(pick(root, '--diameter', '-60')).rejects.toThrow(expected);
    await expect(pick(root, '--diameter', '-.5')).rejects.toThrow("--diameter: '-.5' is not a valid value");
  });

  it('--diameter 120A says the diameter is in pixels', async () => {
    await expect(pick(root, '--diameter', '120A')).rejects.toThrow(
      "--diameter: '120A' is not a valid value (a number from 10 to 800 pixels)",
    );
  });

  it('no micrographs: names the folders, and what they hold that is not read', async () => {
    const empty = path.join(root, 'empty');
    const raw = path.join(root, 'raw');
    await mkdir(empty, { recursive: true });
    await mkdir(raw, { recursive: true });
    for (const f of ['a.eer', 'b.eer', 'c.dm4', 'd.mrc.bz2', '.hidden']) await writeFile(path.join(raw, f), '');
    await expect(pick(empty, '--diameter', '60')).rejects.toThrow(new RegExp(`^no micrograph files \\(\\.mrc .*\\) found in ${empty}$`));
    await expect(pick(raw, empty, '--diameter', '60')).rejects.toThrow(
      `found in ${raw}, ${empty}; they hold .eer (2), .dm4 (1), .mrc.bz2 (1) files, which drpnet does not read`,
    );
  });
});
