// The CDK app: `npx cdk synth` / `npx cdk deploy -c environment=dev|prod`, with `-c hostedZone=...
// -c hostedZoneId=...` (certificates and DNS made by the stack) or `-c certificateArn=... -c apiDomain=...`;
// the web build must exist first (`npm run build -w web`, or `-c webDist=<folder>`).
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { applyCheckovSkips } from '../src/checkov-skips.js';
import { environmentSettings } from '../src/environments.js';
import { applyNagSuppressions } from '../src/nag-suppressions.js';
import { ShopStack } from '../src/shop-stack.js';
import { webDistFromContext } from '../src/web-content.js';

const app = new App();
const settings = environmentSettings(app);
const stack = new ShopStack(app, `Shop-${settings.name}`, {
  settings,
  webDist: webDistFromContext(app),
  // CloudFront's web ACL must live in us-east-1; the stack deploys there unless told otherwise.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
  description: `shop-platform (${settings.name}): catalog, inventory and analytics on EC2 Spot behind ALB and CloudFront`,
});
applyNagSuppressions(stack);
applyCheckovSkips(stack);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
