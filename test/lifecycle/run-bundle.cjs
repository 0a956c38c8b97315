// Runs one bundled Lambda handler (cdk.out/asset.<hash>/index.js) in this process, as the Lambda
// runtime would: the function's environment variables, the event, a context with the remaining
// time. Reads {bundle, env, event} as JSON from the file named on the command line and prints
// {result} or {error} as JSON on the last line. moto cannot run Lambda code without Docker.
const fs = require('fs');

async function main() {
  const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  Object.assign(process.env, job.env);
  const started = Date.now();
  const context = {
    functionName: job.env.AWS_LAMBDA_FUNCTION_NAME ?? 'function',
    awsRequestId: 'lifecycle-request',
    getRemainingTimeInMillis: () => (job.timeoutSeconds ?? 300) * 1000 - (Date.now() - started),
  };
  try {
    const { handler } = require(job.bundle);
    const result = await handler(job.event, context);
    process.stdout.write(`\n${JSON.stringify({ result: result ?? null })}\n`);
  } catch (e) {
    process.stdout.write(`\n${JSON.stringify({ error: `${e.name}: ${e.message}` })}\n`);
  }
}

main();
