import { accessGroups } from '@shop/platform';
import { aws_cognito as cognito, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { IdentityRefs } from './contracts.js';
import type { EnvironmentSettings } from './environments.js';

export interface IdentityProps {
  settings: EnvironmentSettings;
  /**
   * Where Cognito's hosted UI may send users back to (the staff console's URL); the console signs
   * in with its own form and never goes there. Defaults to the local gateway, the only plain-HTTP
   * address Cognito accepts.
   */
  callbackUrls?: string[];
}

export const appClientName = 'shop-web';

/**
 * The origin of Cognito's user pool API in a region: the staff pages sign in by calling it from
 * the browser (InitiateAuth), so it is in their config and their Content-Security-Policy.
 */
export function cognitoApiOrigin(region: string): string {
  return `https://cognito-idp.${region}.amazonaws.com`;
}

/**
 * Staff sign-in: a user pool without self sign-up (admins create the staff), one group per
 * access group the services check, and the one public app client the web console uses.
 */
export class Identity extends Construct implements IdentityRefs {
  readonly userPool: cognito.UserPool;
  readonly appClient: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  readonly groups: Record<keyof typeof accessGroups, cognito.CfnUserPoolGroup>;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const { settings } = props;

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `shop-${settings.name}`,
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      autoVerify: { email: true },
      // The same policy as the local pool (deploy/local/src/local-user-pool.ts).
      passwordPolicy: {
        minLength: 8,
        requireUppercase: true,
        requireLowercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      // Threat protection (formerly advanced security) needs the Plus plan; ENFORCED blocks
      // risky sign-ins instead of only logging them.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: settings.retainData,
      removalPolicy: settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const groups: Partial<Record<keyof typeof accessGroups, cognito.CfnUserPoolGroup>> = {};
    for (const [key, groupName] of Object.entries(accessGroups) as [keyof typeof accessGroups, string][]) {
      groups[key] = new cognito.CfnUserPoolGroup(this, `${key}Group`, {
        userPoolId: this.userPool.userPoolId,
        groupName,
        description: `Members may call the API operations that require ${groupName}`,
      });
    }
    this.groups = groups as Record<keyof typeof accessGroups, cognito.CfnUserPoolGroup>;

    // The domain of Cognito's hosted UI and OAuth endpoints, which the console does not call (it
    // signs in through the user pool API). The prefix must be unique in the region, hence the account.
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: `shop-${settings.name}-${Stack.of(this).account}` },
    });

    this.appClient = this.userPool.addClient('WebClient', {
      userPoolClientName: appClientName,
      // A browser cannot keep a secret, and with one every InitiateAuth would need a SECRET_HASH
      // computed from it.
      generateSecret: false,
      // The console's own sign-in form uses USER_PASSWORD_AUTH, as it does against the local pool;
      // nothing in this repository signs in with SRP.
      authFlows: { userSrp: true, userPassword: true },
      // Settings for the hosted UI and the OAuth endpoints only; the console's sign-in uses none of them.
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: props.callbackUrls ?? ['http://localhost:8080/'],
        logoutUrls: props.callbackUrls ?? ['http://localhost:8080/'],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
    });
  }
}
