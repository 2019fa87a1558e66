// The files of a model folder in the tfjs layers format, as this project writes them: one owner
// for the model's own writer and reader (model-io.ts), the CLI and the page, whose bundle must
// not pull in tfjs through model-io.ts to know them.

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
/** What a training run did and measured, beside the model's files (its metadata's trainingSummary). */
export const TRAINING_FILE = 'training.json';
