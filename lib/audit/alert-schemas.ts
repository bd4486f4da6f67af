import { z } from "zod";
import { alertResolutions, alertRules, alertStatuses } from "@/db/schema/audit";


const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const alertFilter = z.object({
  status: z.preprocess(blank, z.enum([...alertStatuses, "all"]).optional().catch(undefined)),
  rule: z.preprocess(blank, z.enum(alertRules).optional().catch(undefined)),
  severity: z.preprocess(blank, z.enum(["high", "medium", "low"]).optional().catch(undefined)),
  cursor: z.preprocess(blank, z.string().max(200).optional()),
});
export type AlertFilter = z.output<typeof alertFilter>;

export const assignInput = z.object({ assignee: z.uuid({ error: "Choose who works this alert." }) });
export const noteInput = z.object({ body: z.string({ error: "Write a note." }).trim().min(3, "Write a note of at least 3 characters.").max(4000, "A note can be at most 4,000 characters.") });
export const closeInput = z.object({
  resolution: z.enum(alertResolutions, { error: "Choose how the alert was resolved." }),
  body: z.string({ error: "Say why." }).trim().min(10, "Say why in at least 10 characters.").max(4000, "At most 4,000 characters."),
});

const reason = z.string({ error: "Say why." }).trim().min(10, "Say why in at least 10 characters.").max(4000, "At most 4,000 characters.");

/** The most alerts one bulk close may take: a page of the queue. */
const bulkCloseLimit = 50;

/** Several alerts closed at once, with one resolution and reason; the checkboxes send one id or many. */
export const bulkCloseInput = z.object({
  ids: z.preprocess(
    (v) => (v === undefined || v === "" ? [] : typeof v === "string" ? [v] : v),
    z
      .array(z.string(), { error: "Choose the alerts to close." })
      .min(1, "Choose at least one alert to close.")
      .max(bulkCloseLimit, `Close at most ${bulkCloseLimit} alerts at once.`)
      // Checked as a whole, so that the error is the field's ("ids"), not one checkbox's.
      .refine((ids) => ids.every((id) => z.uuid().safeParse(id).success), "Choose alerts from the list.")
      .transform((ids) => [...new Set(ids.map((id) => id.toLowerCase()))]),
  ),
  resolution: z.enum(alertResolutions, { error: "Choose how the alerts were resolved." }),
  body: reason,
});

/** A closed alert opened again, with the reason, which becomes a note. */
export const reopenInput = z.object({ body: reason });
