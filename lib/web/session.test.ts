import { describe, expect, it } from "vitest";
import { safeNextPath } from "./session";

describe("safeNextPath", () => {
  it("keeps paths on this site, with their query and fragment", () => {
    expect(safeNextPath("/profile?tab=1#x")).toBe("/profile?tab=1#x");
    expect(safeNextPath("/a/../profile")).toBe("/profile");
  });

  it("refuses anything that leaves the site, before or after normalisation", () => {
    for (const next of ["//evil.example", "/\\\\evil.example", "https://evil.example", "/..//evil.example", "/./..//evil.example", "/%2e%2e//evil.example", "\t//evil.example", "evil", "", null, 42]) {
      const result = safeNextPath(next);
      expect(result, String(next)).toBe("/profile");
    }
    expect(safeNextPath("/\t/evil.example")).toBe("/profile");
  });
});
