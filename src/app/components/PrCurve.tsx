import { memo } from 'react';
import type { PrPoint } from '../metrics-view';

export interface PrSeries {
  id: string;
  label: string;
  points: PrPoint[];
  /** The operating point (the picks kept now), drawn as a dot. */
  at?: PrPoint;
}

/** Small precision-recall plot (SVG), recall on x, precision on y, both 0..1, one line per series (drawn again only when a series changes). */
export const PrCurve = memo(function PrCurve({
  series,
  width = 260,
  height = 170,
}: {
  series: PrSeries[];
  width?: number;
  height?: number;
}) {
  const pad = 26;
  const w = width - pad - 6;
  const h = height - pad - 6;
  const sx = (r: number): number => pad + r * w;
  const sy = (p: number): number => 6 + (1 - p) * h;
  const path = (points: PrPoint[]): string =>
    [...points]
      .sort((a, b) => a.recall - b.recall)
      .map((p, i) => `${i ? 'L' : 'M'}${sx(p.recall).toFixed(1)},${sy(p.precision).toFixed(1)}`)
      .join(' ');
  return (
    <svg className="pr-curve" data-testid="pr-curve" width={width} height={height} role="img" aria-label="precision-recall curve">
      <rect x={pad} y={6} width={w} height={h} className="frame" />
      {[0.25, 0.5, 0.75].map((t) => (
        <g key={t} className="grid">
          <line x1={sx(t)} x2={sx(t)} y1={6} y2={6 + h} />
          <line x1={pad} x2={pad + w} y1={sy(t)} y2={sy(t)} />
        </g>
      ))}
      {series.map((s) => (
        <g key={s.id} className={`series series-${s.id}`} data-testid={`pr-series-${s.id}`} data-points={s.points.length}>
          {s.points.length > 1 && <path d={path(s.points)} className="curve" />}
          {s.at && <circle cx={sx(s.at.recall)} cy={sy(s.at.precision)} r={3.5} className="dot" />}
        </g>
      ))}
      <text x={pad + w / 2} y={height - 4} textAnchor="middle">
        recall
      </text>
      <text x={pad} y={6 + h + 11} textAnchor="middle">
        0
      </text>
      <text x={pad + w} y={6 + h + 11} textAnchor="middle">
        1
      </text>
      <text x={10} y={6 + h / 2} textAnchor="middle" transform={`rotate(-90 10 ${6 + h / 2})`}>
        precision
      </text>
      <text x={pad - 3} y={10} textAnchor="end">
        1
      </text>
      <text x={pad - 3} y={6 + h} textAnchor="end">
        0
      </text>
      {/* Bottom left, where a precision-recall curve seldom runs (top right is where good ones end). */}
      {series.map((s, i) => (
        <text key={s.id} x={pad + 4} y={6 + h - 4 - (series.length - 1 - i) * 12} className={`label series-${s.id}`}>
          {s.label}
        </text>
      ))}
    </svg>
  );
});
