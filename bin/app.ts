#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
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

app.synth();
