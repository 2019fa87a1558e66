import { useWorkbench } from '../store';

export const SHORTCUTS: Array<[string, string]> = [
  ['n / → ', 'next micrograph (in the list’s order)'],
  ['p / ←', 'previous micrograph'],
  ['u', 'next micrograph not marked reviewed'],
  ['r', 'mark this micrograph reviewed (again: not reviewed)'],
  ['e', 'exclude this micrograph from the export (again: include it)'],
  ['h', 'toggle probability heatmap'],
  ['v', 'hide / show the picks'],
  ['a', 'accept all picks of this micrograph'],
  ['click pick', 'select it (nothing changes)'],
  ['click selected pick', 'reject it / accept it again'],
  ['Delete / Backspace', 'reject the selected pick (delete it, if manual)'],
  ['click empty', 'add a manual pick'],
  ['drag pick', 'move it (it keeps its score)'],
  ['drag empty', 'pan'],
  ['middle-button drag', 'pan, over picks too (never moves one)'],
  ['wheel', 'zoom'],
  ['shift + drag', 'reject every pick in the box'],
  ['ctrl+z / ctrl+shift+z', 'undo / redo (picks, parameters, truth, flags)'],
  ['f / 1', 'fit / 1:1 zoom'],
  ['?', 'this help'],
  ['Esc', 'deselect, close help'],
];

export function HelpOverlay() {
  const open = useWorkbench((s) => s.helpOpen);
  const set = useWorkbench((s) => s.set);
  if (!open) return null;
  return (
    <div className="overlay" data-testid="help-overlay" onClick={() => set({ helpOpen: false })}>
      <div className="help" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard and mouse</h2>
        <table>
          <tbody>
            {SHORTCUTS.map(([k, what]) => (
              <tr key={k}>
                <th>
                  <kbd>{k}</kbd>
                </th>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="small">
          Edits survive re-picking: rejections and acceptances are matched to new automatic picks within a quarter of the particle diameter;
          an accepted pick the re-pick no longer finds stays where you accepted it; manual picks are kept as they are.
        </p>
        <p className="small">
          Circles: full colour is a confident pick, fainter ones are less confident (lower p(particle)) but are kept and exported all the
          same; a dashed red circle with a cross is rejected and not exported.
        </p>
        <p className="small">
          Moving a peak slider re-picks at once on the kept heatmap; candidates the classifier has not judged yet are added a moment after
          you pause. The heatmaps of the last few micrographs viewed are kept, not across a reload: for another micrograph, or after a
          reload, the first slider move runs the detector again (seconds), and the moves after it are instant. A number box commits on Enter
          or when it loses focus. A new particle diameter runs the detector again.
        </p>
        <button onClick={() => set({ helpOpen: false })}>Close</button>
      </div>
    </div>
  );
}
