import { z } from "zod";
import { siteStatuses, trustStatuses } from "@/db/schema/trusts";
import { modalities } from "@/lib/vocabulary";

/** An ODS code: 3 to 5 upper-case letters and digits. Lower-case input is accepted and upper-cased. */
export const odsCode = z
  .string({ error: "Enter the ODS code." })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{3,5}$/, "An ODS code is 3 to 5 letters and digits, for example RN5.");

const name = (what: string) =>
  z
    .string({ error: `Enter the ${what}.` })
    .trim()
    .min(3, `The ${what} needs at least 3 characters.`)
    .max(200, `The ${what} can be at most 200 characters.`);

// UK postcode shape (outward code, space optional, inward code); stored upper-case with one space.
const postcode = z
  .string({ error: "Enter the postcode." })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/, "Enter a UK postcode, for example SO16 6YD.")
  .transform((p) => p.replace(/^(.+?) ?(\d[A-Z]{2})$/, "$1 $2"));

export const trustInput = z.object({
  odsCode,
  name: name("trust name"),
  status: z.enum(trustStatuses, { error: "Choose onboarding, active or offboarded." }).default("onboarding"),
});

export const trustUpdateInput = trustInput.omit({ odsCode: true });

export const siteInput = z.object({
  code: z
    .string({ error: "Enter the site code." })
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{5}$/, "A site code is 5 letters and digits, for example RHM01."),
  name: name("site name"),
  town: z.string({ error: "Enter the town." }).trim().min(2, "Enter the town.").max(100, "The town can be at most 100 characters."),
  postcode,
  status: z.enum(siteStatuses, { error: "Choose active or closed." }).default("active"),
});

export const departmentInput = z.object({
  siteId: z.uuid({ error: "Choose the site." }),
  name: name("department name"),
  modalities: z
    .array(z.enum(modalities, { error: "Choose modalities from the list." }), { error: "Choose at least one modality." })
    .min(1, "Choose at least one modality.")
    .transform((list) => [...new Set(list)].sort()),
  status: z.enum(siteStatuses, { error: "Choose active or closed." }).default("active"),
});
