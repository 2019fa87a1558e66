// What the workbench shows for each pick parameter, generated from the parameter table
// (src/core/params.ts): a slider with a number box for a number, a checkbox for a boolean, in
// the table's order. Pure, so tests can check it against the table and the CLI.
import { PARAM_KEYS, PARAM_SPECS, type ParamKey, type ParamSpec } from '../core/params';

export type ParamControl =
  | { kind: 'number'; key: ParamKey; testid: string; label: string; hint: string; min: number; max: number; step: number }
  | { kind: 'boolean'; key: ParamKey; testid: string; label: string; hint: string };

/** data-testid of a parameter's control: param-<name in kebab case>. */
export function paramTestId(key: ParamKey): string {
  return `param-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The label with its unit, or what it reads as: "Particle diameter (px)". */
function labelOf(spec: ParamSpec): string {
  const aside = spec.kind === 'number' ? spec.unit || spec.reads : undefined;
  return aside ? `${spec.label} (${aside})` : spec.label;
}

/** The tooltip: what it does, and that a change runs the detector again when it does. */
function hintOf(spec: ParamSpec): string {
  const text = spec.help.charAt(0).toUpperCase() + spec.help.slice(1) + '.';
  return spec.stage === 'detector' ? `${text} Changing it runs the detector again.` : text;
}

function controlOf(key: ParamKey): ParamControl {
  const spec = PARAM_SPECS[key];
  const common = { key, testid: paramTestId(key), label: labelOf(spec), hint: hintOf(spec) };
  return spec.kind === 'number'
    ? { kind: 'number', ...common, min: spec.min, max: spec.max, step: spec.step }
    : { kind: 'boolean', ...common };
}

/** Every parameter's control, in the table's order. */
export const PARAM_CONTROLS: readonly ParamControl[] = PARAM_KEYS.map(controlOf);

/** Parameters set once for the whole session (SessionPanel), not per micrograph. */
export const SESSION_PARAMS: readonly ParamKey[] = ['diameter'];

/** The controls of the per-micrograph panel: every other parameter of the table, in its order. */
export const MICROGRAPH_CONTROLS: readonly ParamControl[] = PARAM_CONTROLS.filter((c) => !SESSION_PARAMS.includes(c.key));
