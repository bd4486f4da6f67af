/** The badge tone of a user's status; the badge's text always says the status too. */
export function statusTone(status: string): "success" | "warning" | "neutral" {
  return status === "active" ? "success" : status === "suspended" ? "warning" : "neutral";
}
