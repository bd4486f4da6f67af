import { apiRoute } from "@/lib/api/handler";
import { describeApiCaller } from "@/lib/api-clients/describe";

export const dynamic = "force-dynamic";

export const GET = apiRoute(null, async (caller) => Response.json(await describeApiCaller(caller)));
