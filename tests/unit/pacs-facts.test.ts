// The archive facts Mosaic derives by itself: the study's instant from DICOM's wall-clock date and
// time (in London, across the clock changes), the NHS number in a patient id, and the order of
// calling AE titles and modalities.
import { describe, expect, it } from "vitest";
import { byFrequency, nhsNumberOf } from "@/lib/pacs/archive";
import { dicomDateTime } from "@/lib/pacs/orthanc";

describe("dicomDateTime", () => {
  it.each([
    ["20250304", "091500", "2025-03-04T09:15:00.000Z"],
    ["20250704", "091500", "2025-07-04T08:15:00.000Z"],
    ["20250704", "0915", "2025-07-04T08:15:00.000Z"],
    ["20250704", "09", "2025-07-04T08:00:00.000Z"],
    ["20250704", "091500.123456", "2025-07-04T08:15:00.000Z"],
    ["20250704", undefined, "2025-07-03T23:00:00.000Z"],
    // The hour that happens twice (26 October 2025, 01:00-02:00): the second, GMT; DICOM's time
    // alone cannot say which. The hour that never happens (30 March 2025): an hour on, BST.
    ["20251026", "013000", "2025-10-26T01:30:00.000Z"],
    ["20250330", "013000", "2025-03-30T01:30:00.000Z"],
  ])("%s %s is %s", (date, time, iso) => {
    expect(dicomDateTime(date, time)?.toISOString()).toBe(iso);
  });

  it.each([[undefined], [""], ["2025-03-04"], ["20250231"], ["20251304"]])("no instant from the date %j", (date) => {
    expect(dicomDateTime(date, "091500")).toBeNull();
  });

  it("no instant from a time that is none", () => {
    expect(dicomDateTime("20250304", "250000")).toBeNull();
  });
});

describe("nhsNumberOf", () => {
  it.each([
    ["9990000018", null, "9990000018"],
    ["999 000 0018", "NHS", "9990000018"],
    ["999-000-0018", "nhs number", "9990000018"],
    ["9990000018", "RHM hospital number", null],
    ["9990000017", null, null],
    ["H123456", null, null],
    [null, null, null],
  ])("%j issued by %j is %j", (id, issuer, nhs) => {
    expect(nhsNumberOf(id, issuer)).toBe(nhs);
  });
});

describe("byFrequency", () => {
  it("orders distinct values by how often they occur, ties in first-seen order", () => {
    expect(byFrequency(["B", "A", "A", "C", "B", "A"])).toEqual(["A", "B", "C"]);
    expect(byFrequency(["X", "Y"])).toEqual(["X", "Y"]);
    expect(byFrequency([])).toEqual([]);
  });
});
