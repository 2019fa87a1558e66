// Types of scripts/build-cli.mjs (plain JavaScript, so it runs before anything is compiled).
export const CLI_BUNDLE: string;
export function buildCli(): Promise<void>;
export function cliBundleStale(): boolean;
export function ensureCliBundle(): Promise<string>;
