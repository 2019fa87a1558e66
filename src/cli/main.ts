// `drpnet` command line: a thin layer over src/core. Each subcommand lives in its own module.
import { stoppingMessage } from './args';

interface Command {
  summary: string;
  run: (argv: string[]) => Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  pick: { summary: 'pick particles in micrographs', run: async (a) => (await import('./pick')).pickCommand(a) },
  'relion-external': {
    summary: 'pick as a RELION External job (writes the job directory RELION expects)',
    run: async (a) => (await import('./relion-external')).relionExternalCommand(a),
  },
  eval: { summary: 'score picks against ground truth', run: async (a) => (await import('./eval')).evalCommand(a) },
  simulate: { summary: 'write simulated micrographs with ground truth', run: async (a) => (await import('./simulate')).simulateCommand(a) },
  'train-detector': { summary: 'train the FCRN detector', run: async (a) => (await import('./train')).trainDetectorCommand(a) },
  'train-classifier': { summary: 'train the false-pick classifier', run: async (a) => (await import('./train')).trainClassifierCommand(a) },
  'fine-tune': {
    summary: 'adapt the networks to your data (a few labelled micrographs, or none)',
    run: async (a) => (await import('./fine-tune')).fineTuneCommand(a),
  },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(18)} ${c.summary}`);
  return ['usage: drpnet <command> [options]', '', 'commands:', ...lines, '', 'Run `drpnet <command> --help` for its options.'].join('\n');
}

/**
 * A reader that stops early (`drpnet pick ... 2>&1 | head`) must not stop the work: once the pipe
 * is closed, what is written to it is dropped instead of ending the process.
 */
function outliveClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    });
}

export async function main(argv: string[]): Promise<number> {
  outliveClosedPipes();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`drpnet: unknown command '${name}'\n${usage()}\n`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    // Argument errors and typed engine errors are the user's to fix: print them plainly.
    process.stderr.write(`drpnet ${name}: ${stoppingMessage(e)}\n`);
    return 2;
  }
}
