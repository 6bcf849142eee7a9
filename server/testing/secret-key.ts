// The secret key of a test process: the one a test loaded, else one made up for this process and
// loaded as the instance's key (audit entries sign the trail's head with it, as in the app).
import { randomBytes } from "node:crypto";
import { instanceSecretKey, setInstanceSecretKey } from "../platform/secrets/instance-key";
import { type SecretKey, withId } from "../platform/secrets/secret-key";

export function testSecretKey(): SecretKey {
  try {
    return instanceSecretKey();
  } catch {
    const made = withId(randomBytes(32), "environment");
    setInstanceSecretKey(made);
    return made;
  }
}
