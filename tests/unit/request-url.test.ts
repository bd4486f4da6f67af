import { describe, expect, it } from "vitest";
import { callerUrlOf } from "@/lib/api/request-url";

const get = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });

describe("callerUrlOf", () => {
  it("keeps the host the caller addressed, not the server's own name", () => {
    expect(callerUrlOf(get("http://localhost:3000/api/v1/audit-events?patient=9990000018", { host: "127.0.0.1:3000" })).toString()).toBe(
      "http://127.0.0.1:3000/api/v1/audit-events?patient=9990000018",
    );
    expect(callerUrlOf(get("http://localhost:3000/x", { host: "[::1]:3000" })).host).toBe("[::1]:3000");
    expect(callerUrlOf(get("http://localhost:3000/x", { host: "mosaic.example.nhs.uk" })).toString()).toBe("http://mosaic.example.nhs.uk/x");
  });

  it("keeps a path that begins with two slashes on the caller's host", () => {
    expect(callerUrlOf(get("http://localhost:3000//evil.example/x", { host: "127.0.0.1:3000" })).host).toBe("127.0.0.1:3000");
  });

  it("takes the scheme a proxy reports, and only http or https", () => {
    expect(callerUrlOf(get("http://localhost:3000/x", { host: "mosaic.example", "x-forwarded-proto": "https" })).toString()).toBe("https://mosaic.example/x");
    expect(callerUrlOf(get("http://localhost:3000/x", { "x-forwarded-proto": "javascript" })).protocol).toBe("http:");
  });

  it.each(["evil.example/path", "user@evil.example", "a b", "", "-bad.example"])("ignores a Host header that is not a host: %j", (host) => {
    expect(callerUrlOf(get("http://localhost:3000/x", { host })).host).toBe("localhost:3000");
  });
});
