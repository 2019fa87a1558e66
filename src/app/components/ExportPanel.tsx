import { useMemo } from 'react';
import {
  COORDINATE_FORMAT_IDS,
  COORDINATE_FORMATS,
  coordinateFileName,
  defaultBoxSize,
  sameMicrographMatcher,
  readRelionMicrographs,
  writeCoordinates,
  type CoordinateFormat,
} from '../../core/coords';
import { errorMessage } from '../error-text';
import { displayPicksOf } from '../editing';
import { buildExportFiles, download, zipFiles, type ExportItem, type RelionProject } from '../export';
import { keptPicks } from '../picks-merge';
import { pickedUpToDate } from '../controller/context';
import { picksInProgress } from '../controller/picking';
import { whenPicksSettle } from '../controller/settle';
import { currentMic, exportable, exportedMicrographs, useWorkbench, workMicrographs, type MicrographEntry } from '../store';

function itemOf(m: MicrographEntry): ExportItem {
  return { micrographName: m.name, picks: keptPicks(displayPicksOf(m)), boxSize: defaultBoxSize(m.params.diameter) };
}

/** How long an export waits for re-picks in progress (a slider just moved, a batch) before it writes what is on screen. */
const SETTLE_MS = 20_000;

/** The micrographs once their picks in progress have settled (or SETTLE_MS passed, which is said). */
async function settled(keys: readonly string[]): Promise<MicrographEntry[]> {
  const s = useWorkbench.getState();
  // Those being picked now: a batch's later micrographs are exported as they are, not waited for.
  const inProgress = keys.filter(picksInProgress);
  if (inProgress.length) {
    s.notify(`Export waits for ${inProgress.length} micrograph${inProgress.length === 1 ? '' : 's'} being picked…`);
    if (!(await whenPicksSettle(inProgress, SETTLE_MS)))
      s.notify('Some micrographs were still being picked: the export holds the picks they showed.');
  }
  const now = useWorkbench.getState().micrographs;
  const result = keys.map((k) => now.find((m) => m.key === k)).filter((m): m is MicrographEntry => !!m);
  // Not waited for (a batch may take hours), but said: a cutoff set for all re-picks them one by one.
  const stale = result.filter((m) => m.pickedWith && !pickedUpToDate(m)).length;
  if (stale)
    s.notify(
      `${stale} of the micrographs exported ${stale === 1 ? 'holds picks' : 'hold picks'} made with earlier settings or models, exported as shown: export again once they are picked anew.`,
    );
  return result;
}

async function exportCurrent(key: string, format: CoordinateFormat): Promise<void> {
  try {
    const [m] = await settled([key]);
    if (!m) return;
    const item = itemOf(m);
    download(writeCoordinates(format, item.picks, item), coordinateFileName(m.name, format), 'text/plain');
  } catch (e) {
    useWorkbench.getState().notify(`Export failed: ${errorMessage(e)}`);
  }
}

async function exportAll(project: RelionProject | undefined): Promise<void> {
  const s = useWorkbench.getState();
  try {
    await settled(exportedMicrographs(s.micrographs).map((m) => m.key));
    // Chosen again: a re-pick may have changed what is exported.
    const done = exportedMicrographs(useWorkbench.getState().micrographs);
    const zip = zipFiles(buildExportFiles(done.map(itemOf), COORDINATE_FORMAT_IDS, project));
    download(zip, 'drpnet_picks.zip', 'application/zip');
  } catch (e) {
    s.notify(`Export failed: ${errorMessage(e)}`);
  }
}

/** The micrographs STAR of the user's RELION project: chosen as a file, its path in the project typed; kept with the session. */
function RelionProjectRow() {
  const project = useWorkbench((s) => s.relionProject);
  const readOnly = useWorkbench((s) => !!s.readOnly);
  const onChange = (relionProject: RelionProject | undefined): void => useWorkbench.getState().set({ relionProject });
  const inProject = useMemo(() => project && sameMicrographMatcher(project.micrographNames), [project]);
  const notInIt = useWorkbench((s) => (inProject ? exportedMicrographs(s.micrographs).filter((m) => !inProject(m.name)).length : 0));
  const read = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    try {
      const micrographNames = readRelionMicrographs(await file.text(), file.name).map((m) => m.name);
      // The path given for the file chosen before stays only when this is that file again (a tester
      // chose another STAR and the export still named the first one's path).
      const same = project && project.micrographsStar.split('/').pop() === file.name;
      onChange({ micrographsStar: same ? project.micrographsStar : file.name, micrographNames, fileName: file.name });
    } catch (e) {
      useWorkbench.getState().notify(`Not a micrographs STAR: ${errorMessage(e)}`, 'error');
    }
  };
  return (
    <div className="relion-project">
      <label className="small" title="The zip's relion/ folder is then laid out as a RELION picking job of this project">
        RELION micrographs STAR:{' '}
        <input
          type="file"
          accept=".star"
          data-testid="relion-mics-file"
          disabled={readOnly}
          onChange={(e) => {
            void read(e.target.files?.[0]);
            e.target.value = ''; // the same file chosen again (after "Forget it") is read again
          }}
        />
      </label>
      {!project && (
        // A tester's flat relion/ folder gave RELION's Extract no particles, and no error.
        <p className="small" data-testid="relion-project-missing">
          Without it, relion/ holds each micrograph&apos;s _autopick.star side by side; RELION&apos;s Extract looks for them in a folder
          named as the micrographs STAR names the micrographs&apos; folder, so choose that STAR to have the zip laid out for it.
        </p>
      )}
      {project && (
        <>
          <p className="small" data-testid="relion-mics-chosen">
            Using {project.micrographNames.length} micrograph{project.micrographNames.length === 1 ? '' : 's'} of{' '}
            {project.fileName ? <code>{project.fileName}</code> : 'the STAR chosen'}{' '}
            <button data-testid="relion-mics-forget" disabled={readOnly} onClick={() => onChange(undefined)}>
              Forget it
            </button>
          </p>
          <label className="small">
            its path in the project{' '}
            <input
              type="text"
              data-testid="relion-mics-path"
              disabled={readOnly}
              value={project.micrographsStar}
              placeholder="CtfFind/job003/micrographs_ctf.star"
              onChange={(e) => onChange({ ...project, micrographsStar: e.target.value })}
            />
          </label>
          {!project.micrographsStar.includes('/') && (
            <p className="small bad" data-testid="relion-mics-path-hint">
              At the project&apos;s top level? If not, give its path from the project folder, as RELION names it (such as
              CtfFind/job003/micrographs_ctf.star): RELION 3.1&apos;s Extract reads it from coords_suffix_autopick.star.
            </p>
          )}
          <p className="small" data-testid="relion-project-note">
            Unzip in the project directory: relion/ then holds the coordinates where RELION looks for them, autopick.star (RELION 4/5) and
            coords_suffix_autopick.star (RELION 3.1) as Extract's input coordinates.
            {notInIt > 0 && ` ${notInIt} micrograph${notInIt === 1 ? ' is' : 's are'} not in that STAR and keep their own names.`}
          </p>
        </>
      )}
    </div>
  );
}

/** The export panel's element id (the toolbar's Export button scrolls to it). */
export const EXPORT_PANEL_ID = 'export-panel';

export function ExportPanel() {
  const project = useWorkbench((s) => s.relionProject);
  const mic = useWorkbench(currentMic);
  const count = useWorkbench((s) => exportedMicrographs(s.micrographs).length);
  const excluded = useWorkbench((s) => workMicrographs(s.micrographs).filter((m) => m.excluded).length);
  // Not excluded, yet not in it: failed, or not picked yet; said, so that a short zip is no surprise.
  const failed = useWorkbench((s) => workMicrographs(s.micrographs).filter((m) => !m.excluded && m.status === 'error').length);
  const waiting = useWorkbench(
    (s) => workMicrographs(s.micrographs).filter((m) => !m.excluded && m.status !== 'error' && !exportable(m)).length,
  );
  const demosLeftOut = useWorkbench((s) => s.micrographs.length - workMicrographs(s.micrographs).length);
  return (
    <section className="panel export-panel" id={EXPORT_PANEL_ID} data-testid="export-panel">
      <h2>Export</h2>
      {mic && (
        <div className="export-row">
          <span className="small">This micrograph:</span>
          {COORDINATE_FORMAT_IDS.map((f) => (
            <button
              key={f}
              data-testid={`export-current-${f}`}
              onClick={() => void exportCurrent(mic.key, f)}
              title={COORDINATE_FORMATS[f].label}
            >
              {COORDINATE_FORMATS[f].label}
            </button>
          ))}
        </div>
      )}
      <RelionProjectRow />
      <button data-testid="export-all-zip" disabled={!count} onClick={() => void exportAll(project)}>
        All micrographs ({count}), all formats (.zip)
      </button>
      {demosLeftOut > 0 && (
        <p className="small" data-testid="export-demos-left-out">
          The {demosLeftOut} demo micrograph{demosLeftOut === 1 ? ' is' : 's are'} left out of it, since the session holds your own.
        </p>
      )}
      {failed + waiting > 0 && (
        <p className="small" data-testid="export-left-out">
          Not in it:{' '}
          {[failed && `${failed} that could not be opened or picked (ERROR in the list)`, waiting && `${waiting} not picked yet`]
            .filter(Boolean)
            .join(', ')}
          .
        </p>
      )}
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
