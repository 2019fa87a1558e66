// The model library in IndexedDB (idb): models trained in the browser or loaded from files
// (model.json + weights.bin, our metadata inside), and which detector and classifier are
// active. A database of its own, apart from the session autosave (src/app/persist.ts), so
// "new session" keeps the models. Every engine worker reads the active models from it when it
// starts (engine.worker.ts), so a reload or a backend switch picks with them at once; the page
// lists and writes it (src/app/training/). It lives beside the workers because they read it:
// the app may import from workers/, the workers never from the app.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ModelKind, ModelMetadata } from '../src/core/model/model-io';
import { SHIPPED_MODELS, type ActiveModels } from './training-api';

export interface StoredModel {
  id: string;
  kind: ModelKind;
  /** Shown in the list and used as the download's file name. */
  name: string;
  /** ISO date and time it was added. */
  added: string;
  source: 'trained' | 'imported';
  /** model.json content; its weights manifest names one file, weights.bin. */
  modelJson: unknown;
  weights: ArrayBuffer;
  metadata: ModelMetadata;
}

/** What the list shows (no weights). */
export type ModelInfo = Omit<StoredModel, 'modelJson' | 'weights'> & { bytes: number };

interface ModelDB extends DBSchema {
  models: { key: string; value: StoredModel };
  // 'active': ActiveModels; 'pending': the page's record of a trained model awaiting keep or discard.
  settings: { key: string; value: ActiveModels | PendingRecord };
}

/** What the page keeps about a retrained model not yet kept or discarded (its shape is the page's business). */
export interface PendingRecord {
  id: string;
}

const DB_NAME = 'drpnet-models';
const ACTIVE_KEY = 'active';
const PENDING_KEY = 'pending';

let dbPromise: Promise<IDBPDatabase<ModelDB>> | undefined;

function db(): Promise<IDBPDatabase<ModelDB>> {
  dbPromise ??= openDB<ModelDB>(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore('models', { keyPath: 'id' });
      d.createObjectStore('settings');
    },
  });
  return dbPromise;
}

export function infoOf(m: StoredModel): ModelInfo {
  const { modelJson: _j, weights, ...info } = m;
  return { ...info, bytes: weights.byteLength };
}

/** Every stored model, newest first. */
export async function listModels(): Promise<ModelInfo[]> {
  const all = await (await db()).getAll('models');
  return all.map(infoOf).sort((a, b) => b.added.localeCompare(a.added));
}

export async function getModel(id: string): Promise<StoredModel | undefined> {
  return (await db()).get('models', id);
}

export async function saveModel(m: StoredModel): Promise<void> {
  await (await db()).put('models', m);
}

export async function deleteModel(id: string): Promise<void> {
  await (await db()).delete('models', id);
}

/** The active models; the shipped ones when none were chosen (or storage is unavailable). */
export async function getActiveModels(): Promise<ActiveModels> {
  try {
    return { ...SHIPPED_MODELS, ...(((await (await db()).get('settings', ACTIVE_KEY)) as ActiveModels | undefined) ?? {}) };
  } catch {
    return { ...SHIPPED_MODELS };
  }
}

export async function setActiveModels(ids: ActiveModels): Promise<void> {
  await (await db()).put('settings', ids, ACTIVE_KEY);
}

/** The retrained model awaiting the user's choice, so a reload does not lose the choice (undefined: none). */
export async function getPending(): Promise<PendingRecord | undefined> {
  return (await (await db()).get('settings', PENDING_KEY)) as PendingRecord | undefined;
}

export async function setPending(p: PendingRecord | undefined): Promise<void> {
  if (p) await (await db()).put('settings', p, PENDING_KEY);
  else await (await db()).delete('settings', PENDING_KEY);
}

/** A new library id for a model of this kind. */
export function newModelId(kind: ModelKind): string {
  return `${kind}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}
