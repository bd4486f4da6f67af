export * from "./consortium";
export * from "./trusts";
export * from "./identity";
export * from "./audit";
export * from "./api-clients";
