// A count with its noun in the right number: "1 machine", "5 machines", "0 waves".
const rules = new Intl.PluralRules("en-US");

export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString("en-US")} ${rules.select(n) === "one" ? singular : plural}`;
}
