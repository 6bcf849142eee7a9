// Authorisation for plain HTTP routes (outside tRPC): the same principals and permissions, and the
// same messages. Each route names the permission it needs.
import type { Permission } from "../auth/permissions";
import { assertCan, type Principal } from "../auth/principal";
import { principalFromRequest } from "../auth/request-principal";
import { db } from "../db/client";
import { type AppError, httpStatusOf } from "../errors";

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
