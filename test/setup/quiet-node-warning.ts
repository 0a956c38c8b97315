// The AWS SDK prints an 8-line NodeVersionSupportWarning the first time a client is used on
// Node < 22. The CLI turns it into one short line (cli/summarizer.cjs); tests need neither.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
