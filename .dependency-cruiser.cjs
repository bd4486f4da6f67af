// Architecture rules that `npm run lint` enforces (CONVENTIONS.md, "areas depend downward"):
// the picture of the layers stays true because a change that breaks it fails CI.
/** The audit trail's core: the hash chain, its canonical form, checkpoints, verification and the append path. */
const auditCore = "^lib/audit/(append|canonical|chain|checkpoints|signing-key|verify|verify-schemas|witness)\\.ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles-between-lib-areas",
      comment: "lib/ areas depend downward, never in a circle: move the shared piece down instead.",
      severity: "error",
      scope: "folder",
      from: { path: "^lib/[^/]+$" },
      to: { path: "^lib/[^/]+$", circular: true },
    },
    {
      name: "no-module-cycles",
      comment: "No module imports itself through others.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "audit-core-records-nothing",
      comment: "The audit trail's core imports nothing it records (users, sharing, capacity, trusts, identity, API clients...).",
      severity: "error",
      from: { path: auditCore },
      to: { path: "^lib/(users|sharing|capacity|trusts|identity|api-clients|api|auth|jobs)/" },
    },
    {
      name: "lib-never-imports-the-demo",
      comment: "The demo generator uses lib/; lib/ never uses it.",
      severity: "error",
      from: { path: "^(lib|app|components|db)/" },
      to: { path: "^demo/" },
    },
    {
      name: "db-is-the-bottom-layer",
      comment: "db/ (client, schema, migrations) imports no lib/, demo/, app/ or components/.",
      severity: "error",
      from: { path: "^db/" },
      to: { path: "^(lib|demo|app|components|scripts|bench)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|\\.next|\\.data)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
