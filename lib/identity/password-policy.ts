import { z } from "zod";

/**
 * The password policy, after the NCSC's guidance: a minimum length (12), a generous maximum, no
 * composition rules (no "one digit, one symbol"), and a deny-list of passwords that attackers try
 * first, including ones built from the service's and the person's own names.
 */
export const passwordMinLength = 12;
const passwordMaxLength = 256;

// Common passwords of 12 characters or more (shorter ones fail the length rule anyway), from the
// published breach lists' top entries, plus words of this service and of NHS life.
const commonPasswords = [
  "123456789012", "1234567890123", "12345678901234", "123456123456", "123123123123", "111111111111",
  "000000000000", "112233445566", "121212121212", "987654321098", "098765432109", "1q2w3e4r5t6y",
  "1qaz2wsx3edc", "qwertyuiopas", "qwertyuiop12", "qwertyuiop123", "qwerty123456", "qwerty1234567",
  "qwertyqwerty", "asdfghjkl123", "asdfghjklzxc", "zxcvbnm12345", "zaq12wsxcde3", "password1234",
  "password12345", "password123456", "passwordpassword", "password1!23", "passw0rd1234", "p@ssw0rd1234",
  "p@ssword1234", "mypassword123", "newpassword1", "newpassword123", "changeme1234", "changeme12345",
  "letmein12345", "letmeinplease", "welcome12345", "welcome123456", "welcometothejungle", "iloveyou1234",
  "iloveyou12345", "iloveyouforever", "football1234", "footballfootball", "baseball1234", "basketball12",
  "manchesterunited", "liverpoolfc123", "chelsea123456", "arsenal123456", "princess1234", "sunshine1234",
  "superman1234", "batman123456", "starwars1234", "pokemon12345", "trustno11234", "dragon123456",
  "monkey123456", "shadow123456", "master123456", "michael12345", "jennifer1234", "charlie12345",
  "abc123456789", "abcdefghijkl", "abcdefgh1234", "abcd12345678", "aaaaaaaaaaaa", "aa123456789a",
  "computer1234", "internet1234", "whatever1234", "administrator", "administrator1", "admin1234567",
  "admin12345678", "rootpassword", "secret123456", "correcthorsebatterystaple", "correct horse battery staple",
  "thequickbrownfox", "summer202020", "winter202020", "spring202020", "autumn202020", "summer2024!!",
  "winter2024!!", "january12345", "september123", "december1234", "hospital1234", "hospital12345",
  "nhspassword1", "nhspassword123", "nhs123456789", "nhsnhsnhsnhs", "doctor123456", "radiology123",
  "radiology1234", "radiographer1", "xray12345678", "pacs12345678", "pacspassword", "mosaic123456",
  "mosaicpassword", "mosaic-demo-password", "consortium123", "wessex123456", "southampton1",
  "southampton123", "portsmouth123", "salisbury1234", "isleofwight123",
];
const denyList = new Set(commonPasswords.map((p) => p.toLowerCase()));

/** Why a password is refused, or null when it is acceptable. `context` holds the person's email and name. */
export function passwordProblem(password: string, context: { email?: string | null; name?: string | null } = {}): string | null {
  if (password.length < passwordMinLength) return `Use at least ${passwordMinLength} characters. Three random words make a strong password.`;
  if (password.length > passwordMaxLength) return `Use at most ${passwordMaxLength} characters.`;
  const lower = password.toLowerCase();
  const squashed = lower.replace(/[\s\-_.]/g, "");
  if (denyList.has(lower) || denyList.has(squashed)) return "This password is too common: attackers try it first. Choose another.";
  if (/^(.)\1+$/.test(password)) return "A password of one repeated character is too easy to guess.";
  if (isSequence(squashed)) return "A run of consecutive letters or digits is too easy to guess.";
  // Built from the person's own email or name with a little padding: guessable by anyone who knows them.
  const own = [context.email?.split("@")[0] ?? "", ...(context.name ?? "").split(/\s+/)]
    .map((p) => p.toLowerCase().replace(/[\s\-_.]/g, ""))
    .filter((p) => p.length >= 4);
  if (own.some((p) => squashed.includes(p) && squashed.replace(p, "").length < 8)) return "Do not build your password from your name or email address.";
  return null;
}

// Runs of neighbouring keys: digits (wrapping 9 to 0), the alphabet, the keyboard's rows.
const runs = ["0123456789".repeat(30), "abcdefghijklmnopqrstuvwxyz".repeat(10), "qwertyuiopasdfghjklzxcvbnm".repeat(10)];
const reversedRuns = runs.map((r) => [...r].reverse().join(""));

function isSequence(s: string): boolean {
  return s.length >= passwordMinLength && [...runs, ...reversedRuns].some((run) => run.includes(s));
}

/** The set-password form: the new password twice, checked against the policy in the action. */
export const newPasswordInput = z
  .object({
    token: z.string({ error: "This link is not valid." }).min(20, "This link is not valid.").max(200, "This link is not valid."),
    password: z.string({ error: "Enter a new password." }).max(passwordMaxLength, `Use at most ${passwordMaxLength} characters.`),
    confirm: z.string({ error: "Enter the new password again." }),
  })
  .refine((d) => d.password === d.confirm, { path: ["confirm"], message: "The two passwords are not the same." });
