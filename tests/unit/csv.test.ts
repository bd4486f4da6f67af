import { describe, expect, it } from "vitest";
import { csvCell, toCsv } from "@/lib/csv";

describe("CSV", () => {
  it.each([
    ["=HYPERLINK(\"http://evil\")", `"'=HYPERLINK(""http://evil"")"`],
    ["+441234", "'+441234"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tcmd", "'\tcmd"],
  ])("neutralises the formula %j", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it("quotes commas, quotes and line breaks", () => {
    expect(csvCell('Women\'s Imaging, "PAH"')).toBe('"Women\'s Imaging, ""PAH"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
  });

  it("writes numbers, dates and empty values", () => {
    expect(toCsv(["a", "b", "c"], [[1, new Date("2026-01-02T03:04:05Z"), null]])).toBe("a,b,c\r\n1,2026-01-02T03:04:05.000Z,\r\n");
  });
});
