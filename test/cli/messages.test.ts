// What the CLI says: every command's --help (aligned, each option described), and refusals
// that name what is wrong (the folders searched, what they hold, the unit a number is in).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { pickCommand } from '../../src/cli/pick';
import { captureOutput } from '../helpers/fixtures';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'drpnet-messages-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const COMMANDS = ['pick', 'relion-external', 'eval', 'simulate', 'train-detector', 'train-classifier', 'fine-tune'];

async function help(command: string): Promise<string> {
  const run = await captureOutput(() => main([command, '--help']));
  expect(run.result).toBe(0);
  return run.stdout;
}

describe('--help', () => {
  it.each(COMMANDS)('%s: every option has a description, and all start in one column', async (command) => {
    const lines = (await help(command)).split('\n');
    const columns = new Set<number>();
    lines.forEach((line, i) => {
      const option = /^ {2}--\S+(?: [A-Z_,/]+)?/.exec(line);
      if (!option) return;
      const rest = line.slice(option[0].length);
      // Too long for the column: the description starts on the next line.
      const [text, column] = rest.trim()
        ? [rest.trim(), option[0].length + rest.length - rest.trimStart().length]
        : [lines[i + 1].trim(), lines[i + 1].length - lines[i + 1].trimStart().length];
      expect(text, line).not.toMatch(/^\(/);
      expect(text, line).not.toBe('');
      columns.add(column);
    });
    expect(columns.size, `${command} --help description columns: ${[...columns].join(', ')}`).toBe(1);
  });

  it('eval says one of --radius and --diameter is required, not that the radius has a default', async () => {
    const text = await help('eval');
    expect(text).not.toMatch(/default: the particle radius/);
    expect(text).toMatch(/--radius PX .*or --diameter is required/);
    await expect(captureOutput(() => main(['eval', '--picks', root, '--truth', root]))).resolves.toMatchObject({ result: 2 });
  });

  it('pick shows a plain pick and the RELION Extract recipe', async () => {
    const text = await help('pick');
    expect(text).toMatch(/Examples:\n {2}drpnet pick micrographs\/ --diameter 140 --out picks\/\n/);
    expect(text).toMatch(/drpnet pick Movies\/ --diameter 140 --out picks\/Movies\/\n/);
    expect(text).toMatch(/relion_preprocess --i micrographs\.star --coord_dir picks\/ --coord_suffix _autopick\.star/);
  });
});

describe('refusals', () => {
  const pick = (...argv: string[]) => captureOutput(() => pickCommand(argv));

  it('--diameter -60 says what --diameter=-60 says, not that the argument is ambiguous', async () => {
    const expected = "--diameter: '-60' is not a valid value (a number from 10 to 800 pixels)";
    await expect(pick(root, '--diameter=-60')).rejects.toThrow(expected);
    await expect(pick(root, '--diameter', '-60')).rejects.toThrow(expected);
    await expect(pick(root, '--diameter', '-.5')).rejects.toThrow("--diameter: '-.5' is not a valid value");
  });

  it('--diameter 120A says the diameter is in pixels, and how to give Å', async () => {
    await expect(pick(root, '--diameter', '120A')).rejects.toThrow('--diameter is in pixels; for 120 Å give --diameter-angstrom 120');
    await expect(pick(root, '--diameter', '120nm')).rejects.toThrow(
      "--diameter: '120nm' is not a valid value (a number from 10 to 800 pixels)",
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
