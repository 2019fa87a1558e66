import type { CoordinateFormat } from '../../core/coords/types';
import { errorMessage } from '../engine-bridge';
import { EXPORT_FORMATS, FORMAT_LABELS, fileNameFor, formatCoordinates } from '../coords-io';
import { displayPicksOf } from '../editing';
import { buildExportFiles, download, zipFiles, type ExportItem } from '../export';
import { keptPicks } from '../picks-merge';
import { currentMic, useWorkbench, type MicrographEntry } from '../store';

function itemOf(m: MicrographEntry): ExportItem {
  return { micrographName: m.name, picks: keptPicks(displayPicksOf(m)), boxSize: Math.round(m.params.diameter) };
}

function exportCurrent(m: MicrographEntry, format: CoordinateFormat): void {
  try {
    const item = itemOf(m);
    download(formatCoordinates(format, item.picks, item.micrographName, item.boxSize), fileNameFor(m.name, format), 'text/plain');
  } catch (e) {
    useWorkbench.getState().notify(`Export failed: ${errorMessage(e)}`);
  }
}

function exportAll(): void {
  const s = useWorkbench.getState();
  const done = s.micrographs.filter((m) => m.status !== 'error');
  try {
    const zip = zipFiles(buildExportFiles(done.map(itemOf)));
    download(zip, 'drpnet_picks.zip', 'application/zip');
  } catch (e) {
    s.notify(`Export failed: ${errorMessage(e)}`);
  }
}

export function ExportPanel() {
  const mic = useWorkbench(currentMic);
  const count = useWorkbench((s) => s.micrographs.filter((m) => m.status !== 'error').length);
  return (
    <section className="panel export-panel">
      <h2>Export</h2>
      {mic && (
        <div className="export-row">
          <span className="small">This micrograph:</span>
          {EXPORT_FORMATS.map((f) => (
            <button key={f} data-testid={`export-current-${f}`} onClick={() => exportCurrent(mic, f)} title={FORMAT_LABELS[f]}>
              {FORMAT_LABELS[f]}
            </button>
          ))}
        </div>
      )}
      <button data-testid="export-all-zip" disabled={!count} onClick={exportAll}>
        All micrographs, all formats (.zip)
      </button>
      <p className="small">Rejected picks are left out; coordinates are in original micrograph pixels.</p>
    </section>
  );
}
