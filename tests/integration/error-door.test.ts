// The one error door (lib/log.ts): an unexpected error in each kind of door (a server action's
// result, a machine-API route, a portal export route, a page) is logged once through pino with the
// reference the person is shown, and its own text never reaches them.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { onRequestError } from "@/instrumentation";
import { apiRoute } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { logTo } from "@/lib/log";
import { portalRoute } from "@/lib/portal-route";
import { toResult } from "@/lib/result";
import { makeApiKey } from "../helpers/api";
import { makeUser } from "../helpers/factories";

// The session cookie is Auth.js's business: the portal route's caller is a signed-in person here.
vi.mock("@/lib/identity/request", () => ({ getRequestContext: async () => makeUser([{ role: "consortium_admin", trustId: null }], { homeTrustId: null }) }));

type Line = { level: number; msg: string; reference?: string; requestId?: string; door?: string; err?: { message?: string }; code?: string };
const lines: Line[] = [];
const secret = "connection to 10.0.0.5 refused for user mosaic_app";

beforeAll(() => {
  logTo(
    new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n")) if (line.trim()) lines.push(JSON.parse(line) as Line);
        done();
      },
    }),
  );
  process.env.NEXT_RUNTIME = "nodejs";
});
afterAll(() => {
  delete process.env.NEXT_RUNTIME;
});

/** The log lines written while `fn` ran. */
async function logged<T>(fn: () => Promise<T>): Promise<{ value: T; lines: Line[] }> {
  const start = lines.length;
  const value = await fn();
  await new Promise((r) => setImmediate(r));
  return { value, lines: lines.slice(start) };
}

describe("the one error door", () => {
  it("a server action: the reference in its message is the logged one", async () => {
    const { value, lines: out } = await logged(() => toResult(async () => Promise.reject(new Error(secret))));
    expect(value.ok).toBe(false);
    if (value.ok) return;
    const reference = /reference ([^)]+)\)/.exec(value.error.message)?.[1];
    expect(value).toMatchObject({ error: { code: "INTERNAL" } });
    expect(value.error.message).not.toContain("10.0.0.5");
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ level: 50, door: "action", reference, err: { message: secret } });
  });

  it("a machine-API route: 500 with the request id, logged with it", async () => {
    const key = await makeApiKey(["audit:write"]);
    const route = apiRoute("audit:write", async () => {
      throw new Error(secret);
    });
    const request = new Request("http://test/api/v1/anything", { method: "POST", headers: { authorization: `Bearer ${key}`, "x-request-id": "req-api-1" } });
    const { value: response, lines: out } = await logged(() => route(request));
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { code: string; message: string; details: { requestId: string } } };
    expect(body.error).toMatchObject({ code: "INTERNAL", details: { requestId: "req-api-1" } });
    expect(body.error.message).toContain("reference req-api-1");
    expect(JSON.stringify(body)).not.toContain("10.0.0.5");
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ level: 50, door: "api", reference: "req-api-1", err: { message: secret } });
  });

  it("a machine-API route: a refusal is its 4xx and is not logged as an error", async () => {
    const route = apiRoute("audit:write", async () => new Response("never"));
    const { value: response, lines: out } = await logged(() => route(new Request("http://test/api/v1/anything", { headers: { "x-request-id": "req-api-2" } })));
    expect(response.status).toBe(401);
    expect(out.filter((l) => l.level >= 50)).toEqual([]);
  });

  it("a portal export route: 500 with the request id, logged with it", async () => {
    const route = portalRoute(async () => {
      throw new Error(secret);
    });
    const { value: response, lines: out } = await logged(() => route(new Request("http://test/users/export.csv", { headers: { "x-request-id": "req-csv-1" } })));
    expect(response.status).toBe(500);
    expect(await response.text()).toBe("Something went wrong (reference req-csv-1). Nothing was saved.");
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ level: 50, door: "portal-route", reference: "req-csv-1", err: { message: secret } });
  });

  it("a page: logged with the reference its error boundary shows (the digest), and the request id", async () => {
    const error = Object.assign(new Error(secret), { digest: "2716390825" });
    const { lines: out } = await logged(() =>
      onRequestError(error, { path: "/storage", method: "GET", headers: { "x-request-id": "req-page-1" } }, { routePath: "/(portal)/storage", routeType: "render" }),
    );
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ level: 50, door: "page", reference: "2716390825", requestId: "req-page-1", err: { message: secret } });
  });

  it("a page: a refusal that escaped is a warning, not an error", async () => {
    const { lines: out } = await logged(() => onRequestError(new AppError("FORBIDDEN", "No."), { path: "/users", method: "GET", headers: {} }, {}));
    expect(out).toMatchObject([{ level: 40, door: "page", code: "FORBIDDEN" }]);
  });
});
