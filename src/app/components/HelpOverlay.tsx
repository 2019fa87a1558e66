import { useWorkbench } from '../store';

export const SHORTCUTS: Array<[string, string]> = [
  ['n / → ', 'next micrograph'],
  ['p / ←', 'previous micrograph'],
  ['h', 'toggle probability heatmap'],
  ['a', 'accept all picks of this micrograph'],
  ['click pick', 'reject / accept it'],
  ['click empty', 'add a manual pick'],
  ['drag pick', 'move it'],
  ['drag empty', 'pan'],
  ['wheel', 'zoom'],
  ['shift + drag', 'reject every pick in the box'],
  ['Delete / Backspace', 'reject (or delete, if manual) the selected pick'],
  ['ctrl+z / ctrl+shift+z', 'undo / redo'],
  ['f / 1', 'fit / 1:1 zoom'],
  ['?', 'this help'],
  ['Esc', 'close help'],
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
          Edits survive re-picking: rejections and acceptances are matched to new automatic picks within a quarter of the particle diameter; manual picks are kept as they are.
        </p>
        <p className="small">
          Moving a peak slider re-picks at once on the kept heatmap; candidates the classifier has not judged yet are added a moment after you pause. A new particle diameter runs the detector again.
        </p>
        <button onClick={() => set({ helpOpen: false })}>Close</button>
      </div>
    </div>
  );
}
