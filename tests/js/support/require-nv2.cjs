// Loaded by require.test.mjs with `node require-nv2.cjs`: a CommonJS consumer of the ESM package
// (Node's require(esm), unflagged since Node 20.19 and 22.12). Prints what it saw as JSON.
'use strict';
const nv2 = require('nv2');
const err = nv2.createError('ERR_PARSE', 'x');
const summary = nv2.validateTrustPolicy({
  version: '1.0',
  trustPolicies: [{ name: 'p', registryScopes: ['*'], signatureVerification: { level: 'skip' } }],
});
process.stdout.write(
  JSON.stringify({
    exports: Object.keys(nv2).sort(),
    version: nv2.version(),
    parseError: err instanceof nv2.ParseError && err instanceof nv2.NotationError,
    statements: summary.statements.map((s) => s.name),
  }),
);
