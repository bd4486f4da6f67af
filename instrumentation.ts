// Runs once as the Next.js server starts. `npm start` asks it (MOSAIC_CHECKPOINT_LOOP=on) to run the
// audit checkpoint loop in this, the serving process: on the embedded database no other process may
// open the database while it serves.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.MOSAIC_CHECKPOINT_LOOP !== "on") return;
  const { startCheckpointLoop } = await import("@/lib/jobs/checkpoint-loop");
  startCheckpointLoop();
}
