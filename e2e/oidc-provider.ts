// A real OpenID Connect provider for the end-to-end tests (oidc-provider, with its development
// login and consent pages): any login name is an account whose email is that name.
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT ?? 3120);
const appPort = Number(process.env.E2E_PORT ?? 3100);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "mosaic-e2e",
      client_secret: "mosaic-e2e-secret-not-for-any-real-deployment",
      redirect_uris: [`http://localhost:${appPort}/api/auth/callback/oidc`],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: `cis2-${id}`, email: id, email_verified: true, name: id, selected_roleid: "R8000" };
      },
    };
  },
  claims: { openid: ["sub", "selected_roleid"], email: ["email", "email_verified"], profile: ["name"] },
  // Put the requested claims in the ID token, where Auth.js reads them.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["e2e-only-cookie-key"] },
});

// Say why a token request failed (the response itself only says "invalid_grant").
provider.on("grant.error", (ctx, error) =>
  console.error("oidc-provider grant.error:", (error as { error_detail?: string }).error_detail ?? error, ctx.oidc?.params?.redirect_uri ?? ""),
);

provider.listen(port, () => console.log(`OIDC provider for e2e at ${issuer}`));
