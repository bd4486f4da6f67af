export * from "./consortium";
export * from "./trusts";
export * from "./identity";
export * from "./audit";
export * from "./api-clients";
export * from "./capacity";
export * from "./sharing";
export * from "./rate-limits";
