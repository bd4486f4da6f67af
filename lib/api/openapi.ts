import { z } from "zod";
import { apiScopes, type ApiScope } from "@/lib/api-clients/schemas";

/** One operation of the machine API, described by the same zod schemas that validate it. */
export type ApiOperation = {
  method: "get" | "post";
  path: string;
  summary: string;
  description?: string;
  scope: ApiScope | null;
  request?: z.ZodType;
  response: z.ZodType;
  tag: string;
};

export const errorBody = z.object({
  error: z.object({
    code: z.enum(["VALIDATION", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "RATE_LIMITED", "INTERNAL"]),
    message: z.string(),
    details: z
      .object({
        issues: z
          .array(z.object({ path: z.string(), item: z.number().int().optional(), field: z.string(), message: z.string() }))
          .optional(),
      })
      .passthrough()
      .nullable(),
  }),
});

export const meResponse = z.object({
  client: z.object({ id: z.uuid(), name: z.string(), trust: z.string().nullable().describe("ODS code; null for a consortium client"), scopes: z.array(z.enum(apiScopes)) }),
});

/** Every operation of /api/v1. Each area adds its own here, with its schemas. */
export const operations: ApiOperation[] = [
  {
    method: "get",
    path: "/api/v1/me",
    summary: "The API client this key belongs to",
    description: "For checking a key: its client, trust and scopes.",
    scope: null,
    response: meResponse,
    tag: "Clients",
  },
];

const errorResponses = {
  "400": "The body is not JSON",
  "401": "No key, or a key that is unknown, revoked or expired",
  "403": "The key lacks the scope, or sends another trust's data",
  "422": "A field of the body is invalid; details.issues names each item and field",
};

/** The OpenAPI 3.1 document of the machine API, generated from the schemas that validate it. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const responses: Record<string, unknown> = {
      "200": { description: "OK", content: { "application/json": { schema: z.toJSONSchema(op.response, { io: "output", unrepresentable: "any" }) } } },
    };
    for (const [status, description] of Object.entries(errorResponses)) {
      if (status !== "422" || op.request) responses[status] = { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
    }
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [op.tag],
      security: [{ apiKey: op.scope ? [op.scope] : [] }],
      ...(op.request
        ? { requestBody: { required: true, content: { "application/json": { schema: z.toJSONSchema(op.request, { io: "input", unrepresentable: "any" }) } } } }
        : {}),
      responses,
      ...(op.scope ? { "x-required-scope": op.scope } : {}),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Mosaic machine API",
      version: "1",
      description: "For the PACS and other machine clients of the consortium. Authenticate with `Authorization: Bearer <api key>`; keys are created in Settings › API clients.",
    },
    servers: [{ url: "/" }],
    paths,
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An API key: mosaic_<prefix>_<secret>" } },
      schemas: { Error: z.toJSONSchema(errorBody) },
    },
  };
}
