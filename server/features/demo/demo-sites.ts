// Where the demo fleet's clusters are: the simulator names clusters <environment>-<region>-<n>;
// the demo places each in a site path region → country → store.
const COUNTRY_OF_REGION: Record<string, string> = {
  fra: "eu/de",
  ams: "eu/nl",
  par: "eu/fr",
  nyc: "us/ny",
  sfo: "us/ca",
  sin: "ap/sg",
  syd: "ap/au",
  gru: "sa/br",
};

export function demoPlacement(clusterName: string): { site: string; labels: Record<string, string> } {
  const [environment = "lab", region = "fra"] = clusterName.split("-");
  const country = COUNTRY_OF_REGION[region] ?? "eu/de";
  return { site: `${country}/${clusterName}`, labels: { env: environment, region } };
}
