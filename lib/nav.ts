import { canAnywhere, type Ctx } from "@/lib/auth/context";
import type { Permission } from "@/lib/auth/permissions";
import { clinicalRoles } from "@/lib/vocabulary";

/** A navigation item: shown to callers who hold `permission` somewhere (null: everyone), or, for `clinical`, a clinical role. */
export type NavItem = { href: string; label: string; permission: Permission | null; clinical?: true };

/** The portal's navigation; an item shows only to callers who hold its permission somewhere. */
const navItems: readonly NavItem[] = [
  { href: "/", label: "Overview", permission: null },
  { href: "/trusts", label: "Trusts", permission: "trusts.read" },
  { href: "/users", label: "Users", permission: "users.read" },
  { href: "/sharing", label: "Sharing", permission: "sharing.read" },
  { href: "/sharing/simulator", label: "Access simulator", permission: "sharing.read" },
  { href: "/studies", label: "Studies", permission: "studies.read" },
  { href: "/audit", label: "Audit", permission: "audit.read" },
  { href: "/throughput", label: "Throughput", permission: "capacity.read" },
  { href: "/storage", label: "Storage", permission: "capacity.read" },
  { href: "/board", label: "Board summary", permission: "capacity.read" },
  { href: "/audit/verify", label: "Verify audit", permission: "audit.verify" },
  { href: "/settings/api-clients", label: "API clients", permission: "api_clients.manage" },
  { href: "/settings/security", label: "Sign-in security", permission: "settings.write" },
  // For the people who look at images: the portal's roles reach them through their own tools.
  { href: "/viewer", label: "Image viewer access", permission: null, clinical: true },
];

const auditSections: readonly NavItem[] = [
  { href: "/audit", label: "Search", permission: "audit.read" },
  { href: "/audit/alerts", label: "Alerts", permission: "alerts.work" },
  { href: "/audit/verify", label: "Verify", permission: "audit.verify" },
];

/** The audit section's tabs the caller may use. */
export function auditSectionsFor(ctx: Ctx): NavItem[] {
  return auditSections.filter((item) => item.permission === null || canAnywhere(ctx, item.permission));
}

export function navFor(ctx: Ctx): NavItem[] {
  const clinician = ctx.roles.some((r) => (clinicalRoles as readonly string[]).includes(r.role));
  const items = navItems.filter((item) => (item.clinical ? clinician : item.permission === null || canAnywhere(ctx, item.permission)));
  // Officers reach Verify from the audit section's tabs; only those without Audit get it here.
  return canAnywhere(ctx, "audit.read") ? items.filter((i) => i.href !== "/audit/verify") : items;
}
