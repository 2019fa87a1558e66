import { useEffect, useState } from 'react';
import { TimingsPanel } from './components/TimingsPanel';
import { CoordinatePrompt, ReadOnlyBanner } from './components/Dialogs';
import { DisplayPanel } from './components/DisplayPanel';
import { ExportPanel } from './components/ExportPanel';
import { HelpOverlay } from './components/HelpOverlay';
import { MetricsPanel } from './components/MetricsPanel';
import { MicrographList } from './components/MicrographList';
import { Notices } from './components/Notices';
import { ParamsPanel } from './components/ParamsPanel';
import { ScorePanel } from './components/ScorePanel';
import { SessionPanel } from './components/SessionPanel';
import { Toolbar } from './components/Toolbar';
import { Viewer } from './components/Viewer';
import { boot } from './controller/boot';
import { addFiles } from './controller/files';
import { filesFromDrop } from './drop';
import { handleKey } from './keyboard';
import { TrainingPanel } from './training/TrainingPanel';

export function App() {
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    void boot();
    addEventListener('keydown', handleKey);
    return () => {
      removeEventListener('keydown', handleKey);
    };
  }, []);

  return (
    <div
      className={`app ${dragging ? 'dragging' : ''}`}
      data-testid="app"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        void filesFromDrop(e.dataTransfer).then((files) => addFiles(files));
      }}
    >
      <Toolbar />
      <ReadOnlyBanner />
      <main className="layout">
        <MicrographList />
        <Viewer />
        <aside className="side">
          <SessionPanel />
          <ParamsPanel />
          <ScorePanel />
          <DisplayPanel />
          <MetricsPanel />
          <ExportPanel />
          <TrainingPanel />
          <TimingsPanel />
        </aside>
      </main>
      <Notices />
      <HelpOverlay />
      <CoordinatePrompt />
      {dragging && <div className="drop-hint">Drop micrographs, coordinate files or folders</div>}
    </div>
  );
}
