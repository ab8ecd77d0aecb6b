/** What the deployment tells the pages at run time (`/config.json`): where staff sign in. */
export interface WebConfig {
  region: string;
  userPoolId: string;
  clientId: string;
  /** The Cognito Identity Provider endpoint, e.g. `https://cognito-idp.us-east-1.amazonaws.com/`. */
  cognitoEndpoint: string;
}

let loaded: Promise<WebConfig> | undefined;

export function webConfig(): Promise<WebConfig> {
  loaded ??= fetch('/config.json', { headers: { Accept: 'application/json' } }).then(async (response) => {
    if (!response.ok) throw new Error(`The site's configuration could not be loaded (${response.status})`);
    return (await response.json()) as WebConfig;
  });
  return loaded;
}
