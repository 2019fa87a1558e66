import { COORDINATE_FORMAT_IDS, COORDINATE_FORMATS, coordinateFileName, writeCoordinates, type CoordinateFormat } from '../../core/coords';
import { errorMessage } from '../error-text';
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
    download(writeCoordinates(format, item.picks, item), coordinateFileName(m.name, format), 'text/plain');
  } catch (e) {
    useWorkbench.getState().notify(`Export failed: ${errorMessage(e)}`);
  }
}

/** Micrographs with something to export: picked, or with picks added by hand, and not excluded by the user. */
function exportable(m: MicrographEntry): boolean {
  return !m.excluded && m.status !== 'error' && (!!m.pickedWith || m.edits.manual.length > 0);
}

function exportAll(): void {
  const s = useWorkbench.getState();
  const done = s.micrographs.filter(exportable);
  try {
    const zip = zipFiles(buildExportFiles(done.map(itemOf)));
    download(zip, 'drpnet_picks.zip', 'application/zip');
  } catch (e) {
    s.notify(`Export failed: ${errorMessage(e)}`);
  }
}

export function ExportPanel() {
  const mic = useWorkbench(currentMic);
  const count = useWorkbench((s) => s.micrographs.filter(exportable).length);
  const excluded = useWorkbench((s) => s.micrographs.filter((m) => m.excluded).length);
  return (
    <section className="panel export-panel">
      <h2>Export</h2>
      {mic && (
        <div className="export-row">
          <span className="small">This micrograph:</span>
          {COORDINATE_FORMAT_IDS.map((f) => (
            <button key={f} data-testid={`export-current-${f}`} onClick={() => exportCurrent(mic, f)} title={COORDINATE_FORMATS[f].label}>
              {COORDINATE_FORMATS[f].label}
            </button>
          ))}
        </div>
      )}
      <button data-testid="export-all-zip" disabled={!count} onClick={exportAll}>
        All micrographs ({count}), all formats (.zip)
      </button>
      {excluded > 0 && (
        <p className="small" data-testid="export-excluded">
          {excluded} micrograph{excluded === 1 ? ' is' : 's are'} excluded from it (⊘ in the list, or e).
        </p>
      )}
      <p className="small">
        Rejected picks are left out; every other circle is exported, faint ones too. Coordinates are in original micrograph pixels.
      </p>
    </section>
  );
}
