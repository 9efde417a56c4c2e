// Stand-in for @matrix-org/matrix-sdk-crypto-nodejs, whose native binary cannot be
// downloaded at install time. matrix-bot-sdk only touches crypto inside functions,
// so loading succeeds and any actual use fails loudly instead of silently.
"use strict";

const message =
  "end-to-end encryption is not supported by this build of magi " +
  "(the native @matrix-org/matrix-sdk-crypto-nodejs library is not installed)";

function unsupported() {
  throw new Error(message);
}

module.exports = new Proxy(
  {},
  {
    get(_target, prop) {
      if (prop === "__esModule") return false;
      if (prop === "then") return undefined;
      if (typeof prop === "symbol") return undefined;
      return new Proxy(unsupported, {
        construct: unsupported,
        apply: unsupported,
        get: unsupported,
      });
    },
  },
);
