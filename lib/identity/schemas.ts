import { z } from "zod";

/** An email and password as typed on the sign-in page. */
export const credentialsInput = z.object({
  email: z.string().trim().toLowerCase().email("Enter your email address."),
  password: z.string().min(1, "Enter your password.").max(1024),
  // The second factor, once the account has one: a TOTP code or a recovery code.
  code: z.string().trim().max(64).optional(),
});
