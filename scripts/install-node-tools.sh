#!/usr/bin/env bash
# Installs the npm tools the tests run into tools/node_modules (git-ignored), at the versions
# tools/package.json pins (tools/package-lock.json locks the rest): @redocly/cli, which validates
# every generated OpenAPI document, and @bufbuild/buf, whose `buf generate` runs the plugin as
# users do. Does nothing when those versions are installed already. Needs node and npm.
set -euo pipefail
cd "$(dirname "$0")/../tools"
if ! command -v npm >/dev/null 2>&1; then
  echo "install-node-tools: npm is not installed: the OpenAPI and buf tests need node and npm" >&2
  exit 1
fi
installed() {  # the version of an installed package, or nothing
  node -p "try { require('./node_modules/$1/package.json').version } catch (e) { '' }"
}
wanted() {
  node -p "require('./package.json').devDependencies['$1']"
}
if [ "$(installed @redocly/cli)" = "$(wanted @redocly/cli)" ] &&
   [ "$(installed @bufbuild/buf)" = "$(wanted @bufbuild/buf)" ] &&
   [ -x node_modules/.bin/redocly ] && [ -x node_modules/.bin/buf ]; then
  exit 0
fi
echo "install-node-tools: installing @redocly/cli and @bufbuild/buf into tools/node_modules"
npm ci --no-audit --no-fund --loglevel=error
