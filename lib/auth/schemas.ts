import { z } from "zod";

/** An email and password as typed on the sign-in page. */
export const credentialsInput = z.object({
  email: z.string().trim().toLowerCase().email("Enter your email address."),
  password: z.string().min(1, "Enter your password.").max(1024),
});
