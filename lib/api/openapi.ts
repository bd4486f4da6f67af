import { z } from "zod";
import { meResponse, type ApiScope } from "@/lib/api-clients/schemas";
import { fhirAuditInput, fhirContentType, fhirExportQuery, fhirSearchsetBundle } from "@/lib/audit/fhir";
import { auditBatchInput, batchResult } from "@/lib/audit/schemas";
import { examBatch, storageUsageBatch } from "@/lib/capacity/schemas";
import { errorCodes, httpStatusOf, type ErrorCode } from "@/lib/errors";
import { accessDecisionAnswer, accessDecisionBatch, accessDecisionBatchAnswer } from "@/lib/sharing/api";
import { accessDecisionRequest } from "@/lib/sharing/schemas";
import { earliestTime, maxBatchItems, maxBodyBytes, maxClockAheadMs, maxDecisionBatch, maxExamBytes, maxInt4, maxJsonDepth, maxStorageBytes } from "@/lib/limits";

/** One operation of the machine API, described by the same zod schemas that validate it. */
type ApiOperation = {
  method: "get" | "post";
  path: string;
  summary: string;
  description?: string;
  scope: ApiScope | null;
  request?: z.ZodType;
  /** The request's media type (default application/json); operations on one path and method that
   * differ only in it are one OpenAPI operation accepting each. */
  requestContentType?: string;
  /** Query parameters, one per key. */
  query?: z.ZodObject;
  response: z.ZodType;
  responseContentType?: string;
  tag: string;
};

const errorBody = z.object({
  error: z.object({
    code: z.enum([...errorCodes, "INTERNAL"]),
    message: z.string(),
    details: z
      .object({
        issues: z
          .array(z.object({ path: z.string(), item: z.number().int().optional(), field: z.string(), message: z.string() }))
          .optional(),
        limit: z.number().int().optional().describe("With 413: the body limit in bytes"),
      })
      .passthrough()
      .nullable(),
  }),
});

/** Every operation of /api/v1. Each area adds its own here, with its schemas. */
const operations: ApiOperation[] = [
  {
    method: "get",
    path: "/api/v1/me",
    summary: "The API client this key belongs to",
    description: "For checking a key: its client, trust and scopes.",
    scope: null,
    response: meResponse,
    tag: "Clients",
  },
  {
    method: "post",
    path: "/api/v1/audit-events",
    summary: "Send a batch of access events",
    description:
      `Up to ${maxBatchItems.toLocaleString("en-GB")} events. All or nothing: one bad event refuses the batch with 422 naming each item and field. Idempotent on eventId within the source trust's chain: a retried batch with the same content stores nothing twice and answers with the count of duplicates; an eventId reused with other content (in an earlier batch or in this one) refuses the batch with 409 CONFLICT naming the item and field. Another trust's event with the same eventId is its own.`,
    scope: "audit:write",
    request: auditBatchInput,
    response: batchResult,
    tag: "Audit",
  },
  {
    method: "post",
    path: "/api/v1/exams",
    summary: "Send a batch of exams",
    description:
      `Up to ${maxBatchItems.toLocaleString("en-GB")} exams. All or nothing: one bad exam refuses the batch naming each item and field (422; 403 for another trust's exam from a trust's client). Idempotent on studyInstanceUid within the exam's trust: a retried exam with the same content is a duplicate; a UID the trust reused with other content refuses the batch with 409 CONFLICT naming the item and field. Another trust's exam with the same UID is its own. The dashboards' rollups are updated in the same transaction.`,
    scope: "exams:write",
    request: examBatch,
    response: batchResult,
    tag: "Capacity",
  },
  {
    method: "post",
    path: "/api/v1/storage-usage",
    summary: "Send a batch of storage usage snapshots",
    description:
      `Up to ${maxBatchItems.toLocaleString("en-GB")} snapshots of the bytes a trust holds on a tier for a modality on a date. All or nothing. Idempotent on (trust, tier, date, modality): the same figure again is a duplicate, a different figure replaces the day's figure.`,
    scope: "storage:write",
    request: storageUsageBatch,
    response: batchResult,
    tag: "Capacity",
  },
  {
    method: "post",
    path: "/api/v1/audit-events",
    summary: "Send access events as FHIR R4 AuditEvents",
    description:
      `With Content-Type application/fhir+json: a Bundle (type batch or collection) of up to ${maxBatchItems.toLocaleString("en-GB")} AuditEvents, or one AuditEvent, shaped as the IHE Basic Audit Log Patterns (BALP) PatientRead/PatientQuery patterns: the user agent (IRCP, requestor, who.identifier mailto:, role, purposeOfUse with BTG for break-glass, policy), the user's organisation (PROV) and the custodian of the images (CST) by ODS code, the client (DICOM 110152) with its network address, the patient entity by NHS number (https://fhir.nhs.uk/Id/nhs-number) and the study entity by urn:dicom:uid urn:oid:<Study Instance UID> with AccessionNumber and Modality details. The AuditEvent id must be a UUID: it is the event id, and a retried event is a duplicate. All or nothing; errors name the entry as item and the element as field.`,
    scope: "audit:write",
    request: fhirAuditInput,
    requestContentType: fhirContentType,
    response: batchResult,
    tag: "Audit",
  },
  {
    method: "get",
    path: "/api/v1/audit-events",
    summary: "Export a patient's access events as a FHIR searchset Bundle",
    description:
      "Every access to the patient's imaging in the period, newest first, as FHIR R4 AuditEvents in the BALP pattern. Keyset paging: follow the Bundle's next link. A trust's client sees the events about its images or by its staff; a consortium client sees all. The export is itself audited.",
    scope: "audit:read",
    query: fhirExportQuery,
    response: fhirSearchsetBundle,
    responseContentType: fhirContentType,
    tag: "Audit",
  },
  {
    method: "post",
    path: "/api/v1/access-decisions",
    summary: "May this user view this study?",
    description:
      `One request, or a batch \`{ requests: [...] }\` of up to ${maxDecisionBatch} answered \`{ decisions: [...] }\` in the same order. Mosaic resolves the user's roles itself: an unknown, suspended or departed user is denied. Within the requester's own trust the answer is permit (same_trust); across trusts, deny unless an active sharing policy of the source trust permits. A restricted patient, or a request that only break-glass can satisfy, is answered break_glass_required until the request carries breakGlassJustification; then permit with breakGlass true. Every decision is audited.`,
    scope: "decisions:read",
    request: z.union([accessDecisionRequest, accessDecisionBatch]),
    response: z.union([accessDecisionAnswer, accessDecisionBatchAnswer]),
    tag: "Sharing",
  },
];

const status = (code: ErrorCode) => String(httpStatusOf[code]);

// The error responses, and which operations can give each: every one, those with any input (a
// body or query parameters are checked), or those with a body (only a body is too large or of
// the wrong media type).
const errorResponses: { status: string; description: string; when: "always" | "input" | "body" }[] = [
  { status: status("UNAUTHENTICATED"), description: "No key, or a key that is unknown, revoked or expired", when: "always" },
  { status: status("FORBIDDEN"), description: "The key lacks the scope, or sends another trust's data", when: "always" },
  { status: status("PAYLOAD_TOO_LARGE"), description: `The body is larger than ${maxBodyBytes} bytes; details.limit says the limit`, when: "body" },
  {
    status: status("UNSUPPORTED_MEDIA_TYPE"),
    description: "The body's Content-Type is not one the operation takes (application/json, or application/fhir+json where it says so), or not UTF-8",
    when: "body",
  },
  {
    status: status("VALIDATION"),
    description:
      "The body is not JSON, or a field is invalid (text PostgreSQL cannot store exactly, nesting too deep, a time or a number out of range, …); details.issues names each item and field",
    when: "input",
  },
];

/** The limits of the machine API (lib/limits.ts), as the document states them. */
const limitsDescription = [
  "Limits, the same for every operation that takes a body:",
  `- a body of at most ${maxBodyBytes} bytes (${maxBodyBytes / 1024 / 1024} MiB) as sent, whatever its Content-Length says; beyond it 413 (a 5,000-event FHIR Bundle is about 15 MB);`,
  `- at most ${maxBatchItems.toLocaleString("en-GB")} items in a batch of events, exams or storage snapshots, ${maxDecisionBatch} access-decision requests;`,
  `- objects and arrays nested at most ${maxJsonDepth} deep;`,
  "- Content-Type application/json (or application/fhir+json where an operation says so), UTF-8; any other is 415;",
  "- no text (value or member name) with a NUL character or a lone UTF-16 surrogate, and no member named __proto__, constructor or prototype;",
  `- times and dates from ${new Date(earliestTime).toISOString().slice(0, 10)} to now (at most ${maxClockAheadMs / 60_000} minutes ahead of Mosaic's clock);`,
  `- whole numbers within what stores them: a policy version at most ${maxInt4}, an exam's size at most ${maxExamBytes} bytes, a storage snapshot at most ${maxStorageBytes} bytes.`,
  "Refused requests store nothing.",
].join("\n");

/** The OpenAPI 3.1 document of the machine API, generated from the schemas that validate it. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const requestContent = op.request
      ? { [op.requestContentType ?? "application/json"]: { schema: z.toJSONSchema(op.request, { io: "input", unrepresentable: "any" }) } }
      : null;
    const existing = paths[op.path]?.[op.method] as { requestBody?: { content: Record<string, unknown> }; description?: string } | undefined;
    if (existing && requestContent && existing.requestBody) {
      // The same operation, in another media type: one more entry in its request content.
      Object.assign(existing.requestBody.content, requestContent);
      existing.description = [existing.description, `${op.requestContentType}: ${op.description ?? op.summary}`].filter(Boolean).join("\n\n");
      continue;
    }
    const responses: Record<string, unknown> = {
      "200": {
        description: "OK",
        content: { [op.responseContentType ?? "application/json"]: { schema: z.toJSONSchema(op.response, { io: "output", unrepresentable: "any" }) } },
      },
    };
    for (const { status: code, description, when } of errorResponses) {
      const applies = when === "always" || (when === "body" ? op.request !== undefined : op.request !== undefined || op.query !== undefined);
      if (applies) responses[code] = { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
    }
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [op.tag],
      security: [{ apiKey: op.scope ? [op.scope] : [] }],
      ...(op.query
        ? {
            parameters: Object.entries(op.query.shape).map(([name, schema]) => ({
              name,
              in: "query",
              required: !(schema as z.ZodType).safeParse(undefined).success,
              schema: z.toJSONSchema(schema as z.ZodType, { io: "input", unrepresentable: "any" }),
            })),
          }
        : {}),
      ...(requestContent ? { requestBody: { required: true, content: requestContent } } : {}),
      responses,
      ...(op.scope ? { "x-required-scope": op.scope } : {}),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Mosaic machine API",
      version: "1",
      description: `For the PACS and other machine clients of the consortium. Authenticate with \`Authorization: Bearer <api key>\`; keys are created in Settings › API clients.\n\n${limitsDescription}`,
    },
    servers: [{ url: "/" }],
    "x-limits": { maxBodyBytes, maxBatchItems, maxDecisionBatch, maxJsonDepth, earliestTime: new Date(earliestTime).toISOString(), maxClockAheadSeconds: maxClockAheadMs / 1000 },
    paths,
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An API key: mosaic_<prefix>_<secret>" } },
      schemas: { Error: z.toJSONSchema(errorBody) },
    },
  };
}
