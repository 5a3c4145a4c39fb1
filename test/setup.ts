// The AWS SDK warns once per process that later versions will need Node 22; in test output that
// is noise (README states the Node version). Servers started by `npm start` still print it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
