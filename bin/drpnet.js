#!/usr/bin/env node
// The `drpnet` command: runs the bundled CLI (scripts/build-cli.mjs says why a bundle), rebuilt
// first when src/ has changed since it was built.
import { ensureCliBundle } from '../scripts/build-cli.mjs';

const { main } = await import(await ensureCliBundle());
process.exitCode = await main(process.argv.slice(2));
