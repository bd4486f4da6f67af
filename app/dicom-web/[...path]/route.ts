import { serveDicomWeb } from "@/lib/dicomweb/gateway";
import { getRequestContext } from "@/lib/identity/request";
import { failureOf } from "@/lib/log";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ path: string[] }> };

/**
 * DICOMweb (QIDO-RS, WADO-RS, STOW-RS) in front of the image archive, with Mosaic's sharing
 * policies enforced and every look audited before its answer leaves (lib/dicomweb/gateway.ts).
 */
async function handle(request: Request, { params }: Params): Promise<Response> {
  try {
    const { path } = await params;
    return await serveDicomWeb(request, path, { sessionCaller: getRequestContext });
  } catch (error) {
    const failure = failureOf(error, "api", request.headers.get("x-request-id"), { route: "dicom-web" });
    return Response.json({ error: { status: failure.status, message: failure.message, reference: failure.reference } }, { status: failure.status, headers: { "Cache-Control": "no-store" } });
  }
}

export const GET = handle;
export const HEAD = handle;
export const POST = handle;
