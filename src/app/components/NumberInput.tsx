// A number field that commits on Enter or when it loses focus, not on every keystroke: typing
// "102" over "140" never runs the detector at 1, 10 or 102 on the way. Values outside the
// range are clamped, and said (number-entry.ts); Escape goes back to the committed value; the arrow keys
// step by `step` and commit at once. With nothing typed since the last commit, Ctrl+Z is the
// workbench's undo (key-targets.ts), not the browser's undo of the text.
import { useRef, useState } from 'react';
import { clampNote, committedNumber, steppedNumber, type NumberRange } from '../number-entry';
import { useWorkbench } from '../store';

interface Props extends NumberRange {
  value: number;
  step: number;
  onCommit(value: number): void;
  /** What the field sets, for the notice when a typed value is clamped ("Particle diameter (Å)"). */
  label: string;
  testid?: string;
  title?: string;
  disabled?: boolean;
  className?: string;
}

export function NumberInput({ value, min, max, step, integer, onCommit, label, testid, title, disabled, className }: Props) {
  const [draft, setDraftState] = useState<string | undefined>();
  // The draft as of now (state lags within one event: Escape then blur must not commit).
  const live = useRef<string | undefined>(undefined);
  const setDraft = (d: string | undefined): void => {
    live.current = d;
    setDraftState(d);
  };
  const range = { min, max, integer };
  const commit = (text: string): void => {
    setDraft(undefined);
    const v = committedNumber(text, range);
    const clamped = clampNote(text, range, label);
    if (clamped) useWorkbench.getState().notify(clamped);
    if (v !== undefined && v !== value) onCommit(v);
  };
  return (
    <input
      type="text"
      inputMode="decimal"
      className={`number-input ${draft !== undefined ? 'editing' : ''} ${className ?? ''}`}
      data-testid={testid}
      data-undo={draft === undefined ? 'workbench' : undefined}
      title={title ? `${title} (Enter commits; ${min} to ${max})` : `Enter commits; ${min} to ${max}`}
      disabled={disabled}
      value={draft ?? String(value)}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={() => live.current !== undefined && commit(live.current)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          commit(e.currentTarget.value);
        } else if (e.key === 'Escape') {
          setDraft(undefined);
          e.currentTarget.blur();
        } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
          e.preventDefault();
          const from = committedNumber(e.currentTarget.value, range) ?? value;
          setDraft(undefined);
          const v = steppedNumber(from, e.key === 'ArrowUp' ? 1 : -1, step, range);
          if (v !== value) onCommit(v);
        }
      }}
    />
  );
}
