/** The app's name: the stack name's prefix and the `app` tag on every resource. */
export const APP_NAME = 'PegasusSummarizer';

/** Stack name (and construct id) for a stage, e.g. `PegasusSummarizer-dev`. Kept free of aws-cdk-lib for the CLI. */
export function stackName(stage: string): string {
  return `${APP_NAME}-${stage}`;
}
