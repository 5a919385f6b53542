/** Checkpoints: a harvest's resume state after its last committed epoch, and where they are kept. */
export type { Checkpoint, CheckpointStore as Store } from "../checkpoint/checkpoint-store.js"
export { FileCheckpointStore as FileStore } from "../checkpoint/file-checkpoint-store.js"
