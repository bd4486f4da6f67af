import { describe, expect, it } from "vitest";
import { ApiKeyCache, type CachedApiKey } from "@/lib/api-clients/key-cache";

const entry = (over: Partial<CachedApiKey> = {}): CachedApiKey => ({
  keyId: "k1",
  clientId: "c1",
  name: "PACS",
  trustId: null,
  scopes: ["decisions:read"],
  expiresAt: null,
  lastUsedAt: null,
  cachedAt: 1_000,
  ...over,
});

describe("ApiKeyCache", () => {
  it("keeps a verified key for its maximum age, and not past the key's expiry", () => {
    const cache = new ApiKeyCache(60_000);
    cache.set("a", entry(), cache.mark());
    cache.set("b", entry({ keyId: "k2", expiresAt: 5_000 }), cache.mark());
    expect(cache.get("a", 60_999)?.keyId).toBe("k1");
    expect(cache.get("a", 61_000)).toBeUndefined();
    expect(cache.get("b", 4_999)?.keyId).toBe("k2");
    expect(cache.get("b", 5_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("does not store what a look-up read before the cache was emptied", () => {
    const cache = new ApiKeyCache(60_000);
    const mark = cache.mark();
    cache.clear();
    cache.set("a", entry(), mark);
    expect(cache.get("a", 1_000)).toBeUndefined();
    const before = cache.mark();
    cache.forgetKeys(["other"]);
    cache.set("a", entry(), before);
    expect(cache.get("a", 1_000)).toBeUndefined();
    cache.set("a", entry(), cache.mark());
    expect(cache.get("a", 1_000)?.keyId).toBe("k1");
  });

  it("forgets the keys it is told to, and every key when cleared", () => {
    const cache = new ApiKeyCache(60_000);
    cache.set("a", entry(), cache.mark());
    cache.set("b", entry({ keyId: "k2" }), cache.mark());
    cache.forgetKeys(["k1"]);
    expect(cache.get("a", 1_000)).toBeUndefined();
    expect(cache.get("b", 1_000)?.keyId).toBe("k2");
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it("stays within its size bound", () => {
    const cache = new ApiKeyCache(60_000, 3);
    for (let i = 0; i < 10; i++) cache.set(`d${i}`, entry({ keyId: `k${i}` }), cache.mark());
    expect(cache.size).toBeLessThanOrEqual(3);
    expect(cache.get("d9", 1_000)?.keyId).toBe("k9");
  });
});
