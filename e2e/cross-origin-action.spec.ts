import { expect, test } from "@playwright/test";

// A server action posted from another site (a forged form: CSRF) is refused with 403, before
// Next's own origin check, which answers such a request with a 500.
const foreign = "https://attacker.example";

test("a server action posted from another origin is refused with 403", async ({ request, baseURL }) => {
  for (const path of ["/sign-in", "/users", "/sharing/policies/new"]) {
    const withAction = await request.post(path, {
      headers: { Origin: foreign, "Next-Action": "0".repeat(42), "Content-Type": "text/plain;charset=UTF-8" },
      data: "[]",
      maxRedirects: 0,
    });
    expect(withAction.status(), path).toBe(403);

    // The same forgery as a plain form, as a browser without JavaScript sends it.
    const asForm = await request.post(path, { headers: { Origin: foreign }, multipart: { $ACTION_ID_0: "", email: "x@y.example" }, maxRedirects: 0 });
    expect(asForm.status(), path).toBe(403);
  }

  // An Origin that is not a URL is another origin too (Next would fail parsing it with a 500).
  const malformed = await request.post("/sign-in", { headers: { Origin: "null", "Next-Action": "0".repeat(42) }, data: "[]", maxRedirects: 0 });
  expect(malformed.status()).toBe(403);

  // The portal's own origin is let through to Next (an unknown action is not a 403).
  const own = await request.post("/sign-in", { headers: { Origin: new URL(baseURL ?? "").origin, "Next-Action": "0".repeat(42) }, data: "[]", maxRedirects: 0 });
  expect(own.status()).not.toBe(403);
});
