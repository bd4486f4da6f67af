import { NextResponse, type NextRequest } from "next/server";

// Optimistic only: send visitors with no session cookie to the sign-in page, and set a request id
// and the Content-Security-Policy with a fresh nonce. Every real check lives in lib/. The one
// refusal here is a cross-origin POST to a page (a forged server action, CSRF), see below.
// /dicom-web/ takes a viewer token as well as the session cookie, and answers 401 itself.
const publicPaths = ["/sign-in", "/set-password", "/api/", "/dicom-web/"];
const sessionCookies = ["authjs.session-token", "__Secure-authjs.session-token"];

/**
 * Does a POST come from another origin than the one it is sent to? Compared as Next compares a
 * server action's Origin (against X-Forwarded-Host, else Host); no Origin is left to Next, and an
 * Origin that is not a URL ("null", or malformed) counts as another origin.
 */
function isCrossOrigin(request: NextRequest): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return false;
  const host = (request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? "").split(",")[0]?.trim();
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  // Next 16 refuses a server action whose Origin is not this host by throwing "Invalid Server
  // Actions request" (action-handler), which answers 500. A POST to a page is always a server
  // action (with Next-Action, or a form without JavaScript), so one from another origin is
  // answered 403 here, before Next. /api/ has its own doors: API keys, Auth.js's CSRF token and
  // the single sign-on provider's callback.
  // The DICOMweb gateway's store (STOW-RS) from a viewer elsewhere comes with a viewer token, which
  // a forged form cannot carry; with the session cookie alone it is held to the same origin.
  const bearerDicomWeb = pathname.startsWith("/dicom-web/") && /^Bearer\s/i.test(request.headers.get("authorization") ?? "");
  if (request.method === "POST" && !pathname.startsWith("/api/") && !bearerDicomWeb && isCrossOrigin(request)) {
    return new NextResponse("Forbidden: a form from another site cannot post here.", { status: 403, headers: { "Cache-Control": "no-store" } });
  }
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const isDev = process.env.NODE_ENV !== "production";
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

  const isPublic = publicPaths.some((p) => pathname === p || pathname.startsWith(p));
  const hasSession = sessionCookies.some((name) => request.cookies.has(name));
  if (!isPublic && !hasSession) {
    const url = request.nextUrl.clone();
    url.pathname = "/sign-in";
    url.search = pathname === "/" ? "" : `?callbackUrl=${encodeURIComponent(pathname + search)}`;
    return NextResponse.redirect(url);
  }

  const requestHeaders = new Headers(request.headers);
  const requestId = request.headers.get("x-request-id") ?? crypto.randomUUID();
  requestHeaders.set("x-request-id", requestId);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("x-request-id", requestId);
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  // Icons and the web manifest are fetched by the browser before and without a session.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|icon.svg|icon-192.png|icon-512.png|manifest.webmanifest|robots.txt).*)"],
};
