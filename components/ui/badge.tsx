const tones = {
  neutral: "bg-canvas text-ink border-line",
  success: "bg-white text-success border-success",
  warning: "bg-white text-warning border-warning",
  danger: "bg-white text-danger border-danger",
} as const;

/** A short label; its tone repeats what the text says, never replaces it. */
export function Badge({ children, tone = "neutral" }: { children: React.ReactNode; tone?: keyof typeof tones }) {
  return <span className={`inline-block rounded border px-2 py-0.5 text-xs font-semibold ${tones[tone]}`}>{children}</span>;
}
