import { z } from "zod";

/**
 * How a verification walks the chains: from each chain's latest signed checkpoint that still holds
 * (what was added since; the walk behind a checkpoint was done when it was signed), or from the
 * first event of each chain.
 */
const verifyModes = ["since_checkpoint", "full"] as const;
export type VerifyMode = (typeof verifyModes)[number];

/** The verify page's choice of walk. */
export const verifyRunInput = z.object({ mode: z.enum(verifyModes).default("since_checkpoint") });
