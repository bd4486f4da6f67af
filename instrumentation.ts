// Runs once as the Next.js server starts. `npm start` asks it (MOSAIC_CHECKPOINT_LOOP=on) to run the
// audit checkpoint loop in this, the serving process, which sees the ingests as they commit.
export async function register(): Promise<void> {
  // In this form (not an early return) the bundler leaves the import out of any non-Node build.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    if (process.env.MOSAIC_CHECKPOINT_LOOP !== "on") return;
    const { startCheckpointLoop } = await import("@/lib/jobs/checkpoint-loop");
    startCheckpointLoop();
  }
}

/**
 * Next.js calls this for an error that escaped a page, layout or server component: it goes through
 * the one error door's log (lib/log.ts), with the reference the person sees on the error page.
 */
export async function onRequestError(
  error: unknown,
  request: { path: string; method: string; headers: Record<string, string | string[] | undefined> },
  context: { routePath?: string; routeType?: string },
): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { logRenderError } = await import("@/lib/log");
    logRenderError(error, request, context);
  }
}
