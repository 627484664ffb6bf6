import { describe, expect, it, vi } from "vitest";

describe("prepared statements' names", () => {
  it("are the same in every copy of the module (Next.js compiles some entries with copies of lib/), so one connection never holds a name for two texts", async () => {
    const first = await import("./prepared-statements");
    vi.resetModules();
    const second = await import("./prepared-statements");
    expect(second).not.toBe(first);
    const query = (sql: string) => ({ sql, args: [], argTypes: [] });
    first.prepareStatement('SELECT 1 AS "a"');
    second.prepareStatement('SELECT 2 AS "b"');
    second.prepareStatement('SELECT 1 AS "a"');
    const a = first.preparedStatementName(query('SELECT 1 AS "a"'));
    const b = first.preparedStatementName(query('SELECT 2 AS "b"'));
    expect(a).toMatch(/^auth_\d+$/);
    expect(b).toMatch(/^auth_\d+$/);
    expect(a).not.toBe(b);
    expect(second.preparedStatementName(query('SELECT 1 AS "a"'))).toBe(a);
    expect(second.preparedStatementName(query('SELECT 2 AS "b"'))).toBe(b);
  });
});
