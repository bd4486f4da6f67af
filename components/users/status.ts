/** The badge tone of a user's status; the badge's text always says the status too. */
export function statusTone(status: string): "success" | "warning" | "neutral" {
  return status === "active" ? "success" : status === "suspended" ? "warning" : "neutral";
}

/** Words for audit actions about a person, for the user's history. */
export const userActionLabels: Record<string, string> = {
  "user.create": "Account created",
  "user.update": "Details changed",
  "user.suspend": "Suspended",
  "user.reactivate": "Reactivated",
  "user.leaver": "Marked as leaver",
  "user.password_link": "Set-password link made",
  "user.password_set": "Password set",
  "role.grant": "Role granted",
  "role.revoke": "Role ended",
  "auth.locked": "Locked after failed sign-ins",
  "auth.unlocked": "Lock ended",
};
