import { describe, expect, it } from "vitest";
import { isDicomUid, parseDicomWebPath } from "@/lib/dicomweb/paths";

const study = "1.2.826.0.1.3680043.10.1";
const series = "1.2.826.0.1.3680043.10.1.2";
const instance = "1.2.826.0.1.3680043.10.1.2.3";
const parse = (method: string, path: string) => parseDicomWebPath(method, path.split("/"));

describe("DICOMweb paths", () => {
  it.each([
    ["GET", "studies", { kind: "qido", level: "studies", studyUid: null, seriesUid: null }],
    ["GET", "series", { kind: "qido", level: "series", studyUid: null, seriesUid: null }],
    ["GET", "instances", { kind: "qido", level: "instances", studyUid: null, seriesUid: null }],
    ["GET", `studies/${study}/series`, { kind: "qido", level: "series", studyUid: study, seriesUid: null }],
    ["GET", `studies/${study}/instances`, { kind: "qido", level: "instances", studyUid: study, seriesUid: null }],
    ["GET", `studies/${study}/series/${series}/instances`, { kind: "qido", level: "instances", studyUid: study, seriesUid: series }],
    ["GET", `studies/${study}`, { kind: "wado", studyUid: study, seriesUid: null, instanceUid: null, resource: "bulk" }],
    ["HEAD", `studies/${study}`, { kind: "wado", studyUid: study, seriesUid: null, instanceUid: null, resource: "bulk" }],
    ["GET", `studies/${study}/metadata`, { kind: "wado", studyUid: study, seriesUid: null, instanceUid: null, resource: "metadata" }],
    ["GET", `studies/${study}/rendered`, { kind: "wado", studyUid: study, seriesUid: null, instanceUid: null, resource: "rendered" }],
    ["GET", `studies/${study}/thumbnail`, { kind: "wado", studyUid: study, seriesUid: null, instanceUid: null, resource: "thumbnail" }],
    ["GET", `studies/${study}/series/${series}`, { kind: "wado", studyUid: study, seriesUid: series, instanceUid: null, resource: "bulk" }],
    ["GET", `studies/${study}/series/${series}/metadata`, { kind: "wado", studyUid: study, seriesUid: series, instanceUid: null, resource: "metadata" }],
    ["GET", `studies/${study}/series/${series}/instances/${instance}`, { kind: "wado", studyUid: study, seriesUid: series, instanceUid: instance, resource: "bulk" }],
    ["GET", `studies/${study}/series/${series}/instances/${instance}/metadata`, { kind: "wado", studyUid: study, seriesUid: series, instanceUid: instance, resource: "metadata" }],
    ["GET", `studies/${study}/series/${series}/instances/${instance}/frames/1,2,3`, { kind: "wado", studyUid: study, seriesUid: series, instanceUid: instance, resource: "frames" }],
    ["GET", `studies/${study}/series/${series}/instances/${instance}/frames/1/rendered`, { kind: "wado", studyUid: study, seriesUid: series, instanceUid: instance, resource: "rendered" }],
    ["GET", `studies/${study}/series/${series}/instances/${instance}/bulk/7fe00010`, { kind: "wado", studyUid: study, seriesUid: series, instanceUid: instance, resource: "bulkdata" }],
    ["POST", "studies", { kind: "stow", studyUid: null }],
    ["POST", `studies/${study}`, { kind: "stow", studyUid: study }],
  ])("%s %s", (method, path, expected) => {
    expect(parse(method, path)).toEqual(expected);
  });

  it.each([
    ["GET", "studies/1.2.abc", 400],
    ["GET", "studies/01.2", 400],
    ["GET", `studies/${"1.".repeat(40)}1`, 400],
    ["GET", `studies/${study}/series/${series}/instances/${instance}/frames/0`, 400],
    ["GET", `studies/${study}/series/${series}/instances/${instance}/frames/1;drop`, 400],
    ["GET", "", 404],
    ["GET", "system", 404],
    ["GET", "tools/find", 404],
    ["GET", `studies/${study}/reports`, 404],
    ["GET", `studies/${study}/series/${series}/instances/${instance}/bulk/../../system`, 404],
    ["POST", "series", 404],
    ["DELETE", `studies/${study}`, 405],
    ["PUT", "studies", 405],
  ])("refuses %s %s with %i", (method, path, status) => {
    const result = parse(method, path);
    expect("status" in result && result.status).toBe(status);
  });

  it("knows a DICOM UID", () => {
    expect(isDicomUid("1.2.840.10008.1.2.1")).toBe(true);
    expect(isDicomUid("0.1")).toBe(true);
    expect(isDicomUid("1..2")).toBe(false);
    expect(isDicomUid("1.2.")).toBe(false);
    expect(isDicomUid("")).toBe(false);
    expect(isDicomUid(`1.${"2".repeat(63)}`)).toBe(false);
  });
});
