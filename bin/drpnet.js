#!/usr/bin/env node
// The `drpnet` command: runs the TypeScript CLI through tsx's loader, so the CLI and the
// workbench share src/core without a separate build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
