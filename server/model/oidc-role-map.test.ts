import { describe, expect, it } from "vitest";
import { parseEnv } from "../platform/env";
import { grantsForGroups, groupsFromClaim, parseRoleMap } from "./oidc-role-map";

describe("OIDC role map", () => {
  it("maps groups to roles, with an optional scope after @", () => {
    const parsed = parseRoleMap(
      "platform-admins=admin; oncall=operator;managers=approver;dk-viewers=viewer@site:eu/dk/*;nordics=viewer@cluster:group=nordics,tier=edge;",
    );
    expect(parsed).toEqual({
      ok: true,
      entries: [
        { group: "platform-admins", role: "admin", scope: "" },
        { group: "oncall", role: "operator", scope: "" },
        { group: "managers", role: "approver", scope: "" },
        { group: "dk-viewers", role: "viewer", scope: "site:eu/dk/*" },
        { group: "nordics", role: "viewer", scope: "cluster:group=nordics,tier=edge" },
      ],
    });
  });

  it("keeps group names with spaces, slashes and GUIDs as the provider sends them", () => {
    const parsed = parseRoleMap("/ops/SRE Team=operator;5f1c7e2a-0000-4b1e-9c1d-1234567890ab=admin");
    expect(parsed.ok && parsed.entries.map((e) => e.group)).toEqual([
      "/ops/SRE Team",
      "5f1c7e2a-0000-4b1e-9c1d-1234567890ab",
    ]);
  });

  it("names every bad entry and what to write instead", () => {
    const parsed = parseRoleMap("a=superuser;b;=admin;c=viewer@;d=viewer@site:EU/DK;e=admin");
    expect(parsed.ok).toBe(false);
    const problems = parsed.ok ? [] : parsed.problems;
    expect(problems).toEqual([
      'entry "a=superuser" has an unknown role "superuser": use one of viewer, operator, approver, admin',
      expect.stringContaining('entry "b" needs the form group=role or group=role@scope'),
      'entry "=admin" has no group name before "="',
      'entry "c=viewer@" has "@" but no scope after it: leave out "@" for the whole fleet',
      expect.stringContaining('entry "d=viewer@site:EU/DK" has a bad scope "site:EU/DK": it must be empty'),
    ]);
    expect(parseRoleMap(" ; ")).toEqual({
      ok: false,
      problems: [expect.stringContaining("must map at least one group to a role")],
    });
  });

  it("grants the roles of every group held, once each, and nothing for unknown groups", () => {
    const parsed = parseRoleMap("ops=operator;sre=operator;sre=approver;dk=viewer@site:eu/dk/*");
    if (!parsed.ok) throw new Error("role map should parse");
    expect(grantsForGroups(parsed.entries, ["ops", "sre", "guests"])).toEqual([
      { role: "operator", scope: "" },
      { role: "approver", scope: "" },
    ]);
    expect(grantsForGroups(parsed.entries, ["dk"])).toEqual([{ role: "viewer", scope: "site:eu/dk/*" }]);
    expect(grantsForGroups(parsed.entries, ["OPS", "guests"])).toEqual([]);
    expect(grantsForGroups(parsed.entries, [])).toEqual([]);
  });

  it("reads the groups claim as a list, a single string, or nothing", () => {
    expect(groupsFromClaim(["a", 3, "b"])).toEqual(["a", "b"]);
    expect(groupsFromClaim("a")).toEqual(["a"]);
    expect(groupsFromClaim(undefined)).toEqual([]);
    expect(groupsFromClaim({ a: 1 })).toEqual([]);
  });
});

describe("OIDC configuration", () => {
  const complete = {
    MINOS_OIDC_ISSUER: "https://keycloak.example.com/realms/ops",
    MINOS_OIDC_CLIENT_ID: "minos",
    MINOS_OIDC_ROLE_MAP: "platform-admins=admin",
  };

  it("is off by default and complete with issuer, client id and role map", () => {
    expect(parseEnv({}).MINOS_OIDC_ISSUER).toBeUndefined();
    const e = parseEnv({ ...complete, MINOS_OIDC_SCOPES: "openid  groups" });
    expect(e.MINOS_OIDC_ROLE_MAP).toEqual([{ group: "platform-admins", role: "admin", scope: "" }]);
    expect(e.MINOS_OIDC_SCOPES).toEqual(["openid", "groups"]);
  });

  it("is all or nothing: a partial setting names what is missing", () => {
    expect(() => parseEnv({ MINOS_OIDC_ISSUER: complete.MINOS_OIDC_ISSUER })).toThrow(
      /MINOS_OIDC_CLIENT_ID must be set when any MINOS_OIDC_ variable is set[\s\S]*MINOS_OIDC_ROLE_MAP must be set/,
    );
    expect(() => parseEnv({ MINOS_OIDC_CLIENT_ID: "minos", MINOS_OIDC_ROLE_MAP: "a=admin" })).toThrow(
      /MINOS_OIDC_ISSUER must be set/,
    );
  });

  it("names a bad role map entry, refuses plain HTTP issuers off this machine, never echoes the secret", () => {
    let message = "";
    try {
      parseEnv({
        ...complete,
        MINOS_OIDC_ISSUER: "http://keycloak.example.com/realms/ops",
        MINOS_OIDC_ROLE_MAP: "admins=root",
        MINOS_OIDC_CLIENT_SECRET: "",
        MINOS_OIDC_SCOPES: "profile email",
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("MINOS_OIDC_ISSUER must be the identity provider's issuer URL over https://");
    expect(message).toContain('MINOS_OIDC_ROLE_MAP entry "admins=root" has an unknown role "root"');
    expect(message).toContain('MINOS_OIDC_SCOPES must include "openid"');
    expect(parseEnv({ ...complete, MINOS_OIDC_ISSUER: "http://127.0.0.1:5556/dex" }).MINOS_OIDC_ISSUER).toBe(
      "http://127.0.0.1:5556/dex",
    );
    expect(() =>
      parseEnv({ MINOS_OIDC_CLIENT_SECRET: "hunter2-client-secret", MINOS_OIDC_LABEL: "x".repeat(61) }),
    ).toThrow(/^(?![\s\S]*hunter2)[\s\S]*MINOS_OIDC_LABEL must be at most 60 characters/);
  });
});
