import { describe, expect, it } from "vitest";
import type { Ctx } from "@/lib/auth/context";
import { AppError } from "@/lib/errors";
import { plural } from "@/lib/format";
import { titleOf } from "@/lib/pages";

const ctx = { userId: "u" } as Ctx;

describe("titleOf", () => {
  it("names the record for a caller who may use the page", async () => {
    expect(await titleOf(ctx, async () => ({ name: "Salisbury" }), (t) => `Edit ${t.name}`)).toEqual({ title: "Edit Salisbury" });
  });

  it("says Not found when the record is missing, another trust's, or not the caller's to edit", async () => {
    expect(await titleOf(ctx, () => Promise.reject(new AppError("NOT_FOUND", "No such site.")), () => "Edit site")).toEqual({ title: "Not found" });
    expect(await titleOf(ctx, async () => ({ name: "Salisbury" }), () => null)).toEqual({ title: "Not found" });
  });

  it("leaves the title to the sign-in redirect when signed out, and lets other errors reach the error page", async () => {
    expect(await titleOf(null, async () => ({}), () => "Edit site")).toEqual({});
    await expect(titleOf(ctx, () => Promise.reject(new Error("database down")), () => "x")).rejects.toThrow("database down");
  });
});

describe("plural", () => {
  it.each([
    [0, "chain", undefined, "0 chains"],
    [1, "chain", undefined, "1 chain"],
    [2, "chain", undefined, "2 chains"],
    [1, "access", "accesses", "1 access"],
    [1200, "event", undefined, "1,200 events"],
    [3, "new person", "new people", "3 new people"],
  ] as const)("%d %s", (n, one, many, expected) => {
    expect(plural(n, one, many)).toBe(expected);
  });
});
