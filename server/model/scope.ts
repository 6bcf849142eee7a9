// Role scopes: the whole fleet (""), a site prefix ("site:eu/dk/*" or an exact site), or the
// clusters matching labels ("cluster:group=nordics,tier=edge").
import { z } from "zod";

const sitePath = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*(\/\*)?$/;
const labelTerm = /^[a-z0-9]([a-z0-9._/-]*[a-z0-9])?=[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;

export const scopeSchema = z
  .string()
  .max(200, "must be at most 200 characters")
  .refine(
    (s) =>
      s === "" ||
      (s.startsWith("site:") && sitePath.test(s.slice(5))) ||
      (s.startsWith("cluster:") &&
        s
          .slice(8)
          .split(",")
          .every((t) => labelTerm.test(t))),
    'must be empty (whole fleet), "site:<path>" such as site:eu/dk/* or "cluster:<key=value,…>"',
  );
