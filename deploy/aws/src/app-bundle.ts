import { fileURLToPath } from 'node:url';
import { aws_s3_assets as s3Assets } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
/**
 * What the app bundle leaves out: what .gitignore ignores (installed dependencies, the KCL jars,
 * local data, build and synth output) and the repository's history. Names without a slash match
 * at any depth.
 */
const bundleExcludes = [
  'node_modules',
  '.git',
  '.data',
  '.venv',
  '.tmp',
  'dist',
  'cdk.out',
  '*.log',
  'services/analytics/.kcl-jars',
  'bench/results.json',
];

/** The app bundle (this repository, zipped) every instance downloads at boot, as `AppBundle` in `scope`. */
export function appBundle(scope: Construct): s3Assets.Asset {
  return new s3Assets.Asset(scope, 'AppBundle', { path: repositoryRoot, exclude: bundleExcludes });
}
