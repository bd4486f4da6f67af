// Several thousand demo staff: mostly clinical roles with their NHS national RBAC codes and
// departments, a few deputies with portal roles, some suspended and some leavers, and junior
// doctors on four-month rotations between trusts (some ending soon, some about to start).
// Deterministic (seeded), and inserted in batches so that it takes seconds, not minutes.
import type { Tx } from "@/db/client";
import { roleAssignments, users } from "@/db/schema";
import { addDays, endOfLondonDay, londonDayStart, londonToday } from "@/lib/calendar";
import { seededRandom } from "./random";

const firstNames = [
  "Aaliyah", "Abdul", "Adam", "Adaeze", "Aidan", "Alex", "Amara", "Amelia", "Amir", "Anika", "Ava", "Ben", "Bethan", "Callum", "Caoimhe",
  "Chen", "Chloe", "Ciaran", "Daniel", "Deepa", "Dylan", "Eleanor", "Elif", "Ellis", "Emeka", "Emily", "Erin", "Ewan", "Fatima", "Finlay",
  "Freya", "Gareth", "Grace", "Hamza", "Hannah", "Harriet", "Harvey", "Imogen", "Isaac", "Isla", "Jack", "Jade", "Jamal", "James", "Jia",
  "Joanna", "Jonah", "Kai", "Karen", "Kiran", "Laila", "Leah", "Liam", "Lily", "Lucas", "Maya", "Megan", "Mei", "Mohammed", "Morgan",
  "Nadia", "Nathan", "Niamh", "Noah", "Olivia", "Omar", "Oscar", "Priya", "Rachel", "Rhys", "Rosa", "Ruth", "Sam", "Sana", "Sean",
  "Sophie", "Tariq", "Thomas", "Tom", "Uma", "Victoria", "Wei", "William", "Yusuf", "Zara", "Zoe",
];
const lastNames = [
  "Abbott", "Adebayo", "Ahmed", "Ali", "Allen", "Anderson", "Bailey", "Baker", "Banerjee", "Barnes", "Bell", "Bennett", "Bird", "Brooks",
  "Brown", "Campbell", "Carter", "Chaudhry", "Chen", "Clarke", "Collins", "Cooper", "Davies", "Dawson", "Desai", "Edwards", "Ellis",
  "Evans", "Fisher", "Fletcher", "Foster", "Gill", "Graham", "Green", "Griffiths", "Hall", "Harris", "Hayes", "Hill", "Hughes", "Hussain",
  "Iqbal", "Jackson", "James", "Jenkins", "Johnson", "Jones", "Kaur", "Kelly", "Khan", "King", "Knight", "Kowalski", "Lee", "Lewis",
  "Lloyd", "Marsh", "Martin", "Mason", "Mensah", "Mitchell", "Moore", "Morgan", "Morris", "Murphy", "Nguyen", "Nowak", "Obi", "Okafor",
  "Owen", "Parker", "Patel", "Phillips", "Price", "Rahman", "Reid", "Roberts", "Robinson", "Rossi", "Scott", "Shah", "Sharma", "Singh",
  "Smith", "Stewart", "Taylor", "Thomas", "Thompson", "Turner", "Walker", "Ward", "Watson", "White", "Williams", "Wilson", "Wood",
  "Wright", "Yates", "Young", "Zhang",
];

type Clinical = "radiographer" | "clinician" | "radiologist" | "reporting_radiographer" | "mdt_coordinator";
const roleMix: [Clinical, number][] = [
  ["radiographer", 0.45],
  ["clinician", 0.3],
  ["radiologist", 0.1],
  ["reporting_radiographer", 0.08],
  ["mdt_coordinator", 0.07],
];
const jobRoleCode: Record<Clinical, string> = {
  radiologist: "R8000",
  clinician: "R8000",
  reporting_radiographer: "R8003",
  radiographer: "R8003",
  mdt_coordinator: "R8008",
};

export type StaffTrust = { id: string; odsCode: string; share: number; departmentIds: string[]; managerId: string | null };
export type StaffOptions = { count: number; now?: Date; seed?: number; emailDomain?: (ods: string) => string };

type UserRow = typeof users.$inferInsert;
type RoleRow = typeof roleAssignments.$inferInsert;

const day = 86_400_000;

/** Builds the staff rows (users and their role assignments) without touching a database. */
function buildStaff(trusts: StaffTrust[], opts: StaffOptions): { users: UserRow[]; roles: RoleRow[] } {
  const random = seededRandom(opts.seed ?? 20260801);
  const now = opts.now ?? new Date();
  const pick = <T,>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const domain = opts.emailDomain ?? ((ods: string) => `${ods.toLowerCase()}.example`);
  const taken = new Set<string>();
  const userRows: UserRow[] = [];
  const roleRows: RoleRow[] = [];
  const totalShare = trusts.reduce((s, t) => s + t.share, 0);
  const startOfService = new Date("2024-01-01T00:00:00Z");

  for (const trust of trusts) {
    const n = Math.round((opts.count * trust.share) / totalShare);
    for (let i = 0; i < n; i++) {
      let r = random();
      let role: Clinical = "radiographer";
      for (const [candidate, weight] of roleMix) {
        if (r < weight) {
          role = candidate;
          break;
        }
        r -= weight;
      }
      const first = pick(firstNames);
      const last = pick(lastNames);
      let email = `${first}.${last}@${domain(trust.odsCode)}`.toLowerCase();
      for (let k = 2; taken.has(email); k++) email = `${first}.${last}${k}@${domain(trust.odsCode)}`.toLowerCase();
      taken.add(email);
      const isDoctor = role === "radiologist" || role === "clinician";
      const id = crypto.randomUUID();
      const statusRoll = random();
      const status = statusRoll < 0.02 ? "suspended" : statusRoll < 0.06 ? "left" : "active";
      const createdAt = new Date(startOfService.getTime() + random() * (now.getTime() - startOfService.getTime()) * 0.9);
      userRows.push({ id, email, name: `${isDoctor ? "Dr " : ""}${first} ${last}`, homeTrustId: trust.id, status, createdAt, updatedAt: createdAt });
      const departmentId = role !== "clinician" && trust.departmentIds.length ? pick(trust.departmentIds) : null;
      const revokedAt = status === "left" ? new Date(createdAt.getTime() + random() * (now.getTime() - createdAt.getTime())) : null;
      roleRows.push({ userId: id, role, trustId: trust.id, departmentId, jobRoleCode: jobRoleCode[role], validFrom: createdAt, validUntil: null, grantedBy: trust.managerId, createdAt, revokedAt, revokedBy: revokedAt ? trust.managerId : null });

      // Junior doctors (about a third of clinicians) rotate: four-month windows at another trust.
      if (role === "clinician" && status === "active" && random() < 0.33 && trusts.length > 1) {
        const away = pick(trusts.filter((t) => t !== trust));
        const offset = Math.floor(random() * 150) - 20; // days since the rotation began (negative: starts later)
        // A rotation's window is London days, stored as the grant stores them (lib/calendar).
        const firstDay = addDays(londonToday(now), -offset);
        const from = londonDayStart(firstDay);
        const until = endOfLondonDay(addDays(firstDay, 119));
        if (until > now || random() < 0.5) {
          roleRows.push({ userId: id, role: "clinician", trustId: away.id, departmentId: null, jobRoleCode: "R8000", validFrom: from, validUntil: until, grantedBy: away.managerId, createdAt: new Date(Math.min(from.getTime(), now.getTime()) - 14 * day) });
        }
      }
    }
    // A few deputies with portal roles at each trust.
    for (const role of ["pacs_manager", "ig_officer"] as const) {
      const first = pick(firstNames);
      const last = pick(lastNames);
      const email = `${role === "pacs_manager" ? "pacs.deputy" : "ig.lead"}@${domain(trust.odsCode)}`;
      if (taken.has(email)) continue;
      taken.add(email);
      const id = crypto.randomUUID();
      userRows.push({ id, email, name: `${first} ${last}`, homeTrustId: trust.id, status: "active", createdAt: startOfService, updatedAt: startOfService, lastSignInAt: new Date(now.getTime() - random() * 20 * day) });
      roleRows.push({ userId: id, role, trustId: trust.id, validFrom: startOfService, grantedBy: trust.managerId, createdAt: startOfService });
    }
  }
  return { users: userRows, roles: roleRows };
}

/** Inserts the staff in batches inside the caller's transaction; returns how many people and roles. */
export async function insertStaff(tx: Tx, trusts: StaffTrust[], opts: StaffOptions): Promise<{ users: number; roles: number }> {
  const staff = buildStaff(trusts, opts);
  const batch = 500;
  for (let i = 0; i < staff.users.length; i += batch) await tx.insert(users).values(staff.users.slice(i, i + batch));
  for (let i = 0; i < staff.roles.length; i += batch) await tx.insert(roleAssignments).values(staff.roles.slice(i, i + batch));
  return { users: staff.users.length, roles: staff.roles.length };
}
