// The per-instance cache of database state (lib/cache-check.ts) on a source made up here: when it
// asks for the version, when it reloads, and that invalidate() is never answered by a check that
// began before it.
import { describe, expect, it } from "vitest";
import { CheckedCache } from "@/lib/cache-check";

/** A source whose version and data the test moves on, counting what the cache asks of it. */
function source() {
  const s = {
    version: 1,
    versionReads: 0,
    loads: 0,
    /** When set, version reads wait for this to resolve (a check in flight). */
    gate: null as Promise<void> | null,
    readVersion: async () => {
      s.versionReads++;
      const v = s.version;
      if (s.gate) await s.gate;
      return v;
    },
    load: async () => {
      s.loads++;
      return { version: s.version, value: `data at ${s.version}` };
    },
    versionOf: (d: { version: number }) => d.version,
  };
  return s;
}

describe("a checked cache", () => {
  it("answers from memory within its interval, asking the database nothing", async () => {
    const s = source();
    const cache = new CheckedCache(60 * 60 * 1000, s);
    await cache.get();
    s.version = 2;
    expect((await cache.get()).value).toBe("data at 1");
    expect({ versionReads: s.versionReads, loads: s.loads }).toEqual({ versionReads: 0, loads: 1 });
    cache.invalidate();
    expect((await cache.get()).value).toBe("data at 2");
    expect(cache.reloads).toBe(2);
  });

  it("checks the version on every read with interval 0, and reloads only when it moved on", async () => {
    const s = source();
    const cache = new CheckedCache(0, s);
    await cache.get();
    await cache.get();
    await cache.get();
    expect({ versionReads: s.versionReads, loads: s.loads }).toEqual({ versionReads: 2, loads: 1 });
    s.version = 2;
    expect((await cache.get()).value).toBe("data at 2");
    expect(cache.reloads).toBe(2);
  });

  it("shares one check among the callers that arrive while it runs", async () => {
    const s = source();
    const cache = new CheckedCache(0, s);
    await cache.get();
    const answers = await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(answers.map((a) => a.value)).toEqual(["data at 1", "data at 1", "data at 1"]);
    expect(s.versionReads).toBe(1);
  });

  it("after invalidate(), never answers with a check begun before it", async () => {
    const s = source();
    const cache = new CheckedCache(60 * 60 * 1000, s);
    await cache.get();
    cache.invalidate();
    // A check begins and reads version 1; meanwhile this instance commits version 2 and invalidates.
    let open = () => {};
    s.gate = new Promise<void>((resolve) => (open = resolve));
    const early = cache.get();
    s.version = 2;
    cache.invalidate();
    s.gate = null;
    const late = cache.get();
    open();
    expect((await early).value).toBe("data at 1");
    expect((await late).value).toBe("data at 2");
    // What is kept is the later check's: the next read within the interval answers version 2.
    expect((await cache.get()).value).toBe("data at 2");
  });
});
