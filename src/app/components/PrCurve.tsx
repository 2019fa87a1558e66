import type { PrPoint } from '../metrics-view';

/** Small precision-recall plot (SVG), recall on x, precision on y, both 0..1. */
export function PrCurve({ points, width = 220, height = 150 }: { points: PrPoint[]; width?: number; height?: number }) {
  const pad = 26;
  const w = width - pad - 6;
  const h = height - pad - 6;
  const sx = (r: number): number => pad + r * w;
  const sy = (p: number): number => 6 + (1 - p) * h;
  const sorted = [...points].sort((a, b) => a.recall - b.recall);
  const d = sorted.map((p, i) => `${i ? 'L' : 'M'}${sx(p.recall).toFixed(1)},${sy(p.precision).toFixed(1)}`).join(' ');
  return (
    <svg className="pr-curve" data-testid="pr-curve" width={width} height={height} role="img" aria-label="precision-recall curve">
      <rect x={pad} y={6} width={w} height={h} className="frame" />
      {[0.25, 0.5, 0.75].map((t) => (
        <g key={t} className="grid">
          <line x1={sx(t)} x2={sx(t)} y1={6} y2={6 + h} />
          <line x1={pad} x2={pad + w} y1={sy(t)} y2={sy(t)} />
        </g>
      ))}
      {d && <path d={d} className="curve" />}
      <text x={pad + w / 2} y={height - 4} textAnchor="middle">recall</text>
      <text x={10} y={6 + h / 2} textAnchor="middle" transform={`rotate(-90 10 ${6 + h / 2})`}>precision</text>
      <text x={pad - 3} y={10} textAnchor="end">1</text>
      <text x={pad - 3} y={6 + h} textAnchor="end">0</text>
    </svg>
  );
}
