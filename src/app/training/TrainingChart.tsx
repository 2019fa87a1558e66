// A small line chart (SVG) for the live training curves: x in epochs, y scaled to the data,
// one line (with dots) per series.
import type { CurvePoint } from './training-store';

export interface ChartSeries {
  id: string;
  label: string;
  points: readonly CurvePoint[];
  colour: string;
  /** Draw dots only (few points, e.g. one per epoch). */
  dots?: boolean;
}

const fmt = (v: number): string => (Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));

export function TrainingChart({
  title,
  series,
  xMax,
  yRange,
  testid,
  width = 270,
  height = 130,
}: {
  title: string;
  series: ChartSeries[];
  xMax: number;
  yRange?: [number, number];
  testid: string;
  width?: number;
  height?: number;
}) {
  const pad = { l: 34, r: 6, t: 14, b: 16 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  let [y0, y1] = yRange ?? [Math.min(...ys, Infinity), Math.max(...ys, -Infinity)];
  if (!Number.isFinite(y0) || !Number.isFinite(y1)) [y0, y1] = [0, 1];
  if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 0.5 * Math.abs(y0 || 1), y1 + 0.5 * Math.abs(y1 || 1)];
  const sx = (x: number): number => pad.l + (Math.min(x, xMax) / Math.max(xMax, 1e-9)) * w;
  const sy = (y: number): number => pad.t + (1 - (y - y0) / (y1 - y0)) * h;
  const line = (pts: readonly CurvePoint[]): string =>
    pts.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
  return (
    <svg className="train-chart" data-testid={testid} width={width} height={height} role="img" aria-label={title}>
      <text x={pad.l} y={10} className="chart-title">
        {title}
      </text>
      <rect x={pad.l} y={pad.t} width={w} height={h} className="frame" />
      <text x={pad.l - 3} y={pad.t + 8} textAnchor="end">
        {fmt(y1)}
      </text>
      <text x={pad.l - 3} y={pad.t + h} textAnchor="end">
        {fmt(y0)}
      </text>
      <text x={pad.l + w} y={height - 3} textAnchor="end">
        epoch {fmt(xMax)}
      </text>
      {series.map((s) => (
        <g key={s.id} data-testid={`${testid}-${s.id}`} data-points={s.points.length} style={{ color: s.colour }}>
          {!s.dots && s.points.length > 1 && <path d={line(s.points)} fill="none" stroke="currentColor" strokeWidth={1.2} />}
          {(s.dots || s.points.length === 1) &&
            s.points.map((p, i) => <circle key={i} cx={sx(p.x)} cy={sy(p.y)} r={3} fill="currentColor" />)}
          {s.dots && s.points.length > 1 && (
            <path d={line(s.points)} fill="none" stroke="currentColor" strokeWidth={1} strokeDasharray="3 2" />
          )}
        </g>
      ))}
      {series.map((s, i) => (
        <text key={s.id} x={pad.l + w - 3} y={pad.t + 10 + i * 11} textAnchor="end" style={{ fill: s.colour }}>
          {s.label}
        </text>
      ))}
    </svg>
  );
}
