// One slider row of a panel: its label, the range input, and what reads its value beside it
// (an output, or a number box), in the markup and classes every panel's sliders share.
import type { ReactNode } from 'react';

/** What a slider is, apart from its value. */
export interface SliderSpec {
  label: string;
  title?: string;
  testId: string;
  min: number;
  max: number;
  step: number;
}

export function SliderRow(
  props: SliderSpec & {
    value: number;
    disabled?: boolean;
    onChange: (v: number) => void;
    children: ReactNode;
  },
) {
  return (
    <label className="param" title={props.title}>
      <span className="param-label">{props.label}</span>
      <input
        type="range"
        data-testid={props.testId}
        disabled={props.disabled}
        min={props.min}
        max={props.max}
        step={props.step}
        value={props.value}
        onChange={(e) => props.onChange(Number(e.target.value))}
      />
      {props.children}
    </label>
  );
}
