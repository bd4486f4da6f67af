import { canAnywhere, type Ctx } from "@/lib/auth/context";
import type { Permission } from "@/lib/auth/permissions";

export type NavItem = { href: string; label: string; permission: Permission | null };

/** The portal's navigation; an item shows only to callers who hold its permission somewhere. */
export const navItems: readonly NavItem[] = [
  { href: "/", label: "Overview", permission: null },
  { href: "/trusts", label: "Trusts", permission: "trusts.read" },
  { href: "/users", label: "Users", permission: "users.read" },
  { href: "/settings/api-clients", label: "API clients", permission: "api_clients.manage" },
  { href: "/settings/security", label: "Sign-in security", permission: "settings.write" },
];

export function navFor(ctx: Ctx): NavItem[] {
  return navItems.filter((item) => item.permission === null || canAnywhere(ctx, item.permission));
}
