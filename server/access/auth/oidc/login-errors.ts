// Why a single sign-on did not succeed, as a code in the login page's address (?error=…) and the
// sentence the page shows for it. Codes only: the page never echoes text from the address.

export const oidcLoginErrors = {
  sso_not_configured: "Single sign-on is not set up for this Minos. Sign in with a user name and password.",
  sso_expired:
    "The single sign-on took too long or was started in another tab or browser. Start it again from this page.",
  sso_cancelled:
    "The sign-in was cancelled at the identity provider. Start it again if you meant to sign in.",
  sso_provider_error:
    "The identity provider refused the sign-in. Try again; if it keeps failing, an administrator finds the reason in the Minos server log.",
  sso_unreachable:
    "Minos cannot reach the identity provider right now. Try again in a minute, or sign in with a user name and password.",
  sso_invalid_response:
    "Minos could not verify the answer from the identity provider. Start the sign-in again; if it keeps failing, an administrator finds the reason in the Minos server log.",
  sso_no_role:
    "You signed in at the identity provider, but none of your groups has a role in Minos. Ask an administrator to add you to a group that does.",
  sso_disabled: "This account is disabled in Minos. Ask an administrator to enable it.",
  sso_failed:
    "Single sign-on failed inside Minos. Try again; if it keeps failing, an administrator finds the reason in the Minos server log.",
} as const;

export type OidcLoginError = keyof typeof oidcLoginErrors;

/** The sentence for an error code from the address; null for anything that is not one. */
export function oidcLoginErrorMessage(code: string | null | undefined): string | null {
  return code && Object.hasOwn(oidcLoginErrors, code) ? oidcLoginErrors[code as OidcLoginError] : null;
}
