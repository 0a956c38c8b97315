#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { ConfigError, loadConfig } from '../lib/config';
import { addSummarizerStack } from '../lib/summarizer-app';

const app = new App();

let config;
try {
  config = loadConfig(app.node.getAllContext());
} catch (e) {
  if (e instanceof ConfigError) {
    // A plain message (no stack trace): the user mistyped a value, the app did not crash.
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

addSummarizerStack(app, config);

// Any finding that is not acknowledged (with a reason, on the narrowest construct) fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
// The regulated profile answers to one more yardstick: every NIST 800-53 rev. 5 finding is fixed
// or acknowledged with its reason (lib/nag.ts, acknowledgeNist).
if (config.securityProfile === 'regulated') Validations.of(app).addPlugins(new NIST80053R5Checks(app));

app.synth();
