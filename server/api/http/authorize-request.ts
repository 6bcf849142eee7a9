// Authorisation for plain HTTP routes (outside tRPC): the same principals and permissions, and the
// same messages. Each route names the permission it needs.

import { principalFromRequest } from "../../access/auth/request-principal";
import { type AppError, httpStatusOf } from "../../model/errors";
import type { Permission } from "../../model/permissions";
import { assertCan, type Principal } from "../../model/principal";
import { db } from "../../platform/db/client";

export async function authorizeRequest(
  req: Request,
  permission: Permission,
): Promise<{ principal: Principal } | { response: Response }> {
  const { principal } = await principalFromRequest(db(), {
    authorization: req.headers.get("authorization"),
    cookie: req.headers.get("cookie"),
  });
  try {
    assertCan(principal, permission);
    return { principal };
  } catch (err) {
    const e = err as AppError;
    return {
      response: Response.json({ error: { message: e.userMessage } }, { status: httpStatusOf[e.code] }),
    };
  }
}
