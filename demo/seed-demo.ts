import "server-only";
import { count, sql } from "drizzle-orm";
import { hashPassword } from "@/lib/identity/passwords";
import { recordAuditEvent } from "@/lib/audit/record";
import type { Database } from "@/db/client";
import { apiClients, apiKeys, consortium, departments, dicomDevices, roleAssignments, sites, trusts, users } from "@/db/schema";
import { apiScopes } from "@/db/schema/api-clients";
import { generateApiKey } from "@/lib/api-clients/keys";
import { demoConsortium, demoConsortiumStaff, demoPassword, demoTrusts } from "./demo-consortium";
import { seedDemoSharing } from "./seed-sharing";
import { insertStaff, type StaffTrust } from "./demo-staff";

/** Demo staff beyond the sign-ins: several thousand, shared between trusts like their exams (DATA.md). */
const demoStaffCount = 4000;
const demoStaffShare: Record<string, number> = { RHM: 0.36, RHU: 0.32, RNZ: 0.17, R1F: 0.15 };

export type SeedOutcome = { outcome: "seeded"; demoApiKey: string } | { outcome: "already-demo" | "refused" };

/** Is this database's data the demo consortium? */
export async function isDemoDatabase(database: Database): Promise<boolean> {
  const rows = await database.db.select({ isDemo: consortium.isDemo }).from(consortium).limit(1);
  return rows[0]?.isDemo ?? false;
}

/**
 * Creates the demo consortium in an empty database. Never touches a database that holds anything
 * else: with users present and no demo flag, it refuses.
 */
export async function seedDemo(database: Database, opts: { staff?: number } = {}): Promise<SeedOutcome> {
  if (await isDemoDatabase(database)) return { outcome: "already-demo" };
  const [{ n } = { n: 0 }] = await database.db.select({ n: count() }).from(users);
  const [{ c } = { c: 0 }] = await database.db.select({ c: count() }).from(consortium);
  if (n > 0 || c > 0) return { outcome: "refused" };

  const passwordHash = await hashPassword(demoPassword);
  const apiKey = generateApiKey();
  await database.db.transaction(async (tx) => {
    // The seed runs as the owner; this scope lets it through row-level security where the owner
    // is not a superuser.
    await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
    await tx.insert(consortium).values({ ...demoConsortium, isDemo: true });

    const staff: (typeof users.$inferInsert & { roles: { role: string; trustId: string | null }[] })[] = [
      { email: "admin@consortium.example", name: demoConsortiumStaff.admin, roles: [{ role: "consortium_admin", trustId: null }] },
      { email: "ig@consortium.example", name: demoConsortiumStaff.ig, roles: [{ role: "ig_officer", trustId: null }] },
      { email: "cio@consortium.example", name: demoConsortiumStaff.cio, roles: [{ role: "cio", trustId: null }] },
    ];
    const staffTrusts: StaffTrust[] = [];
    for (const t of demoTrusts) {
      const [trust] = await tx.insert(trusts).values({ odsCode: t.odsCode, name: t.name, status: "active" }).returning({ id: trusts.id });
      if (!trust) throw new Error("trust insert returned no row");
      const departmentIds: string[] = [];
      for (const s of t.sites) {
        const [site] = await tx
          .insert(sites)
          .values({ trustId: trust.id, code: s.code, name: s.name, town: s.town, postcode: s.postcode })
          .returning({ id: sites.id });
        if (!site) throw new Error("site insert returned no row");
        const made = await tx
          .insert(departments)
          .values(s.departments.map((d) => ({ trustId: trust.id, siteId: site.id, name: d.name, modalities: [...d.modalities].sort() })))
          .returning({ id: departments.id, name: departments.name });
        departmentIds.push(...made.map((d) => d.id));
        // The site's DICOM devices, each in its department where it has one (demo-consortium.ts).
        const departmentId = (name: string | undefined) => (name === undefined ? null : (made.find((d) => d.name === name)?.id ?? null));
        await tx.insert(dicomDevices).values(
          s.devices.map((d) => ({
            trustId: trust.id,
            siteId: site.id,
            departmentId: departmentId(d.department),
            aeTitle: d.aeTitle,
            kind: d.kind,
            modality: d.modality ?? null,
            host: `${d.aeTitle.toLowerCase().replace(/_/g, "-")}.${t.odsCode.toLowerCase()}.example`,
            description: d.description,
          })),
        );
      }
      staffTrusts.push({ id: trust.id, odsCode: t.odsCode, share: demoStaffShare[t.odsCode] ?? 0.1, departmentIds, managerId: null });
      const ods = t.odsCode.toLowerCase();
      staff.push(
        { email: `pacs@${ods}.example`, name: t.staff.pacs, homeTrustId: trust.id, roles: [{ role: "pacs_manager", trustId: trust.id }] },
        { email: `ig@${ods}.example`, name: t.staff.ig, homeTrustId: trust.id, roles: [{ role: "ig_officer", trustId: trust.id }] },
        // A second IG officer, so that the two-person approval of sharing policies can be shown.
        { email: `ig2@${ods}.example`, name: t.staff.ig2, homeTrustId: trust.id, roles: [{ role: "ig_officer", trustId: trust.id }] },
        // A radiologist, the requester of the access-decision examples.
        { email: `radiologist@${ods}.example`, name: t.staff.radiologist, homeTrustId: trust.id, roles: [{ role: "radiologist", trustId: trust.id }] },
        { email: `cio@${ods}.example`, name: t.staff.cio, homeTrustId: trust.id, roles: [{ role: "cio", trustId: trust.id }] },
        // The viewer side's sign-ins: a radiologist and a clinician, for the DICOMweb gateway.
        { email: `rad@${ods}.example`, name: t.staff.rad, homeTrustId: trust.id, roles: [{ role: "radiologist", trustId: trust.id }] },
        { email: `clin@${ods}.example`, name: t.staff.clin, homeTrustId: trust.id, roles: [{ role: "clinician", trustId: trust.id }] },
      );
    }
    const userIds = new Map<string, string>();
    for (const { roles, ...person } of staff) {
      const [user] = await tx.insert(users).values({ ...person, passwordHash }).returning({ id: users.id });
      if (!user) throw new Error("user insert returned no row");
      userIds.set(person.email, user.id);
      const managed = staffTrusts.find((st) => roles.some((r) => r.role === "pacs_manager" && r.trustId === st.id));
      if (managed) managed.managerId = user.id;
      await tx.insert(roleAssignments).values(roles.map((r) => ({ ...r, userId: user.id, validFrom: new Date("2024-01-01T00:00:00Z") })));
    }
    // Several thousand clinical staff, rotations included (demo/demo-staff.ts).
    const generated = await insertStaff(tx, staffTrusts, { count: opts.staff ?? demoStaffCount });
    // The demo PACS: every scope, consortium-wide. Its key is written to .data/demo-api-key by the caller.
    const [client] = await tx.insert(apiClients).values({ name: "Consortium PACS (demo)", scopes: [...apiScopes] }).returning({ id: apiClients.id });
    if (!client) throw new Error("api client insert returned no row");
    await tx.insert(apiKeys).values({ clientId: client.id, prefix: apiKey.prefix, keyHash: apiKey.hash });
    const sharing = await seedDemoSharing(tx, userIds);
    await recordAuditEvent(tx, {
      action: "demo.seed",
      actor: { email: "seed@mosaic.local" },
      details: { trusts: demoTrusts.map((t) => t.odsCode), users: staff.length + generated.users, roleAssignments: generated.roles, ...sharing },
    });
  });
  return { outcome: "seeded", demoApiKey: apiKey.key };
}
